//! Works out the SHA-256 of each built-in protocol file once, at build time, so that loading the
//! built-in protocols does not hash them again in every process. A test holds each to the hash of
//! the text the binary embeds.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The built-in protocol files, in the order `Catalogue::builtin` loads them.
const BUILT_IN: [&str; 5] = [
    "nct07276568",
    "nct05727722",
    "nct01218464",
    "nct05227846",
    "nct06167473",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut code = String::from(
        "/// The SHA-256 of each built-in protocol file, worked out at build time.\npub(crate) const BUILT_IN_SHA256: [&str; 5] = [\n",
    );
    for name in BUILT_IN {
        let path = format!("protocols/{name}.toml");
        println!("cargo:rerun-if-changed={path}");
        let digest = Sha256::digest(std::fs::read(&path)?);
        let mut hex = String::with_capacity(64);
        for byte in digest {
            write!(hex, "{byte:02x}")?;
        }
        writeln!(code, "    \"{hex}\",")?;
    }
    code.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("builtin_sha256.rs");
    std::fs::write(out, code)?;
    Ok(())
}
