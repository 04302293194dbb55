//! Lays out the release binary so that a one-shot command touches little of it: the functions a
//! `dose`, `check` or `prepare` runs (`hot-functions.txt`, made by `benches/hot-functions
//! generate`) are placed together, so the command faults in a few hundred kilobytes of code
//! instead of pages spread over the whole program. This only orders code: the program is the
//! same, and a name the binary does not hold is skipped.
//!
//! The same build packs the binary's relative relocations (`-z pack-relative-relocs`), so the
//! loader reads 2 KB of them at start instead of 195 KB, where the machine's own C library reads
//! packed relocations (glibc 2.36 and later, which define `GLIBC_ABI_DT_RELR`). LLD makes a
//! packed binary require that version, so a binary built there runs on glibc 2.36 or later (an
//! older loader refuses it by that name); on an older glibc the relocations are not packed, so
//! the binary always runs where it was built.
//!
//! Both are given where the linker is known to be LLD, which reads `--symbol-ordering-file`: a
//! release build for x86_64 Linux (GNU) with rustc 1.90 or later (which links with its own LLD)
//! and no linker chosen in the configuration. Everywhere else the binary is linked as before.
//! Measured in benches/README ("the release binary laid out for the one-shot commands").

use std::env;
use std::process::Command;

const LIST: &str = "hot-functions.txt";

fn main() {
    println!("cargo::rerun-if-changed={LIST}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    if env::var("PROFILE").as_deref() != Ok("release") || !linked_by_rust_lld() {
        return;
    }
    let Ok(dir) = env::var("CARGO_MANIFEST_DIR") else {
        return;
    };
    let list = std::path::Path::new(&dir).join(LIST);
    if !list.is_file() {
        return;
    }
    println!(
        "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    // A function renamed or inlined since the list was made is skipped without a word.
    println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    if libc_reads_packed_relocations() {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C library the binary is linked with here defines `GLIBC_ABI_DT_RELR` (glibc 2.36
/// and later), the version LLD makes a binary with packed relocations require. Only for a native
/// build: a cross build's C library is not the one `cc` finds.
fn libc_reads_packed_relocations() -> bool {
    if env::var_os("TARGET") != env::var_os("HOST") {
        return false;
    }
    let Ok(output) = Command::new("cc")
        .arg("-print-file-name=libc.so.6")
        .output()
    else {
        return false;
    };
    let Ok(path) = String::from_utf8(output.stdout) else {
        return false;
    };
    // `cc` prints the bare name when it finds no such file.
    let path = std::path::Path::new(path.trim());
    if !path.is_absolute() {
        return false;
    }
    println!("cargo::rerun-if-changed={}", path.display());
    let needle = b"GLIBC_ABI_DT_RELR";
    std::fs::read(path).is_ok_and(|library| library.windows(needle.len()).any(|w| w == needle))
}

/// Whether the binary is linked by the LLD that rustc brings: its default for x86_64 Linux (GNU)
/// from 1.90 on, unless a linker or linker flavour is configured.
fn linked_by_rust_lld() -> bool {
    let target = (
        env::var("CARGO_CFG_TARGET_ARCH"),
        env::var("CARGO_CFG_TARGET_OS"),
        env::var("CARGO_CFG_TARGET_ENV"),
    );
    let linux_gnu = matches!(
        target,
        (Ok(arch), Ok(os), Ok(abi)) if arch == "x86_64" && os == "linux" && abi == "gnu"
    );
    let linker_chosen = env::var_os("RUSTC_LINKER").is_some()
        || env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| {
            ["linker", "link-self-contained", "fuse-ld"]
                .iter()
                .any(|word| flags.contains(word))
        });
    linux_gnu && !linker_chosen && rustc_minor().is_some_and(|minor| minor >= 90)
}

/// The minor version of the rustc that builds the crate (`1.95.0` → 95).
fn rustc_minor() -> Option<u32> {
    let rustc = env::var_os("RUSTC")?;
    let output = Command::new(rustc).arg("-vV").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let release = text
        .lines()
        .find_map(|line| line.strip_prefix("release: "))?;
    let mut parts = release.split('.');
    match (parts.next(), parts.next()) {
        (Some("1"), Some(minor)) => minor.parse().ok(),
        _ => None,
    }
}
