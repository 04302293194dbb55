//! `celldose user`: add, list and remove the people who prepare and check doses, and set their
//! passwords, in a users file the library reads and writes.

use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use celldose::users::{Role, Users};

use crate::exit::{EXIT_WITHIN, refuse};
use crate::refusal::display_name;
use crate::user_args::UserCommand;

/// Reads a password: from the terminal without echo, asked twice; or one line of standard input
/// when it is not a terminal.
fn password() -> Result<String, String> {
    if io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")
            .map_err(|e| format!("the password cannot be read: {e}"))?;
        let again = rpassword::prompt_password("the password again: ")
            .map_err(|e| format!("the password cannot be read: {e}"))?;
        if first != again {
            return Err("the two passwords differ; nothing was changed".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("the password cannot be read from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Reads a password once, to check it: from the terminal without echo, or one line of standard
/// input when it is not a terminal.
pub fn password_once() -> Result<String, crate::refusal::Refusal> {
    let read = if io::stdin().is_terminal() {
        rpassword::prompt_password("password: ")
            .map_err(|e| format!("the password cannot be read: {e}"))
    } else {
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map(|_| line.trim_end_matches(['\n', '\r']).to_owned())
            .map_err(|e| format!("the password cannot be read from standard input: {e}"))
    };
    read.map_err(crate::refusal::Refusal)
}

/// Runs `celldose user …`: exit 0 when done, 2 with one line on stderr when refused.
pub fn run(command: &UserCommand) -> ExitCode {
    match change(command) {
        Ok(words) => {
            let _ = writeln!(io::stdout().lock(), "{words}");
            ExitCode::from(EXIT_WITHIN)
        }
        Err(message) => refuse(&message, false),
    }
}

fn change(command: &UserCommand) -> Result<String, String> {
    let error = |e: celldose::Error| e.to_string();
    match command {
        UserCommand::Add { name, role, users } => {
            let role: Role = role.parse().map_err(|e| format!("--role: {e}"))?;
            let mut all = Users::from_path(users).map_err(error)?;
            if all.find(name).is_some() {
                return Err(error(
                    celldose::Refusal::UserExists { name: name.clone() }.into(),
                ));
            }
            all.add(name, role, &password()?).map_err(error)?;
            all.save(users).map_err(error)?;
            Ok(format!(
                "{}: user {name} added, {role}",
                display_name(users)
            ))
        }
        UserCommand::List { users } => {
            let all = Users::from_path(users).map_err(error)?;
            let mut out = String::new();
            for user in all.users() {
                out.push_str(&format!("{}  {}\n", user.name(), user.role()));
            }
            out.push_str(&format!("{} users", all.users().len()));
            Ok(out)
        }
        UserCommand::Remove { name, users } => {
            let mut all = Users::from_path(users).map_err(error)?;
            all.remove(name).map_err(error)?;
            all.save(users).map_err(error)?;
            Ok(format!("{}: user {name} removed", display_name(users)))
        }
        UserCommand::Passwd { name, users } => {
            let mut all = Users::from_path(users).map_err(error)?;
            if all.find(name).is_none() {
                return Err(error(
                    celldose::Refusal::NoSuchUser { name: name.clone() }.into(),
                ));
            }
            all.set_password(name, &password()?).map_err(error)?;
            all.save(users).map_err(error)?;
            Ok(format!(
                "{}: the password of {name} is set",
                display_name(users)
            ))
        }
    }
}
