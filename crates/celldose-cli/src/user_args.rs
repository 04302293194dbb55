//! The flags of `celldose user`: the people who prepare and check doses, in a users file.

use clap::Subcommand;

/// `celldose user`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user: the password is read from the terminal without echo (or from standard input
    /// when it is not a terminal), at least 12 characters, and stored as an argon2id hash.
    Add {
        /// The user's name: letters, digits, '.', '-' or '_'.
        #[arg(value_name = "NAME")]
        name: String,
        /// What the user may do: pharmacist (prepares, and independently checks another's
        /// preparation) or technician (prepares).
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// The users file (TOML; made where it is not there yet, readable by its owner only).
        #[arg(long, value_name = "FILE")]
        users: std::path::PathBuf,
    },
    /// List the users: name and role, never a password or its hash.
    List {
        /// The users file.
        #[arg(long, value_name = "FILE")]
        users: std::path::PathBuf,
    },
    /// Remove a user.
    Remove {
        /// The user's name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The users file.
        #[arg(long, value_name = "FILE")]
        users: std::path::PathBuf,
    },
    /// Set a user's password, read as for `user add`.
    Passwd {
        /// The user's name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The users file.
        #[arg(long, value_name = "FILE")]
        users: std::path::PathBuf,
    },
}
