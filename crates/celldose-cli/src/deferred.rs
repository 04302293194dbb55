//! A command's own flags, described to the parser only when that command runs (or its help, a
//! completion script or the manual page is made): a `dose` does not first build the flags of
//! every other command.

use std::sync::atomic::{AtomicBool, Ordering};

use clap::{ArgMatches, Args, Command, Error, FromArgMatches};

/// Whether a command's flags wait until it runs. Off until the command line is read; off again
/// for a completion script or the manual page, which list every flag of every command in the
/// order they are declared (a deferred command gets the global flags before its own).
static DEFERRING: AtomicBool = AtomicBool::new(false);

/// Each command's flags are described to clap only when that command runs.
pub fn defer_each_command(on: bool) {
    DEFERRING.store(on, Ordering::Relaxed);
}

/// The flags of `T`, added through [`Command::defer`], which clap runs when it builds that
/// command; read exactly as `T` is read. The command's own texts, set from the command's doc
/// comment and attributes before `T`'s flags are added, are kept: `T`'s doc comment does not
/// replace them, as it would not without the deferral.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T> core::ops::Deref for Deferred<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, Error> {
        T::from_arg_matches(matches).map(Self)
    }
    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, Error> {
        T::from_arg_matches_mut(matches).map(Self)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

/// `augment` applied to `command`, keeping the texts the command already had.
fn keeping_texts(command: Command, augment: fn(Command) -> Command) -> Command {
    let about = command.get_about().cloned();
    let long_about = command.get_long_about().cloned();
    let before_help = command.get_before_help().cloned();
    let before_long_help = command.get_before_long_help().cloned();
    let after_help = command.get_after_help().cloned();
    let after_long_help = command.get_after_long_help().cloned();
    let mut command = augment(command);
    if let Some(text) = about {
        command = command.about(text);
    }
    if let Some(text) = long_about {
        command = command.long_about(text);
    }
    if let Some(text) = before_help {
        command = command.before_help(text);
    }
    if let Some(text) = before_long_help {
        command = command.before_long_help(text);
    }
    if let Some(text) = after_help {
        command = command.after_help(text);
    }
    if let Some(text) = after_long_help {
        command = command.after_long_help(text);
    }
    command
}

impl<T: Args> Args for Deferred<T> {
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
    fn augment_args(command: Command) -> Command {
        if DEFERRING.load(Ordering::Relaxed) {
            command.defer(|command| keeping_texts(command, T::augment_args))
        } else {
            T::augment_args(command)
        }
    }
    fn augment_args_for_update(command: Command) -> Command {
        if DEFERRING.load(Ordering::Relaxed) {
            command.defer(|command| keeping_texts(command, T::augment_args_for_update))
        } else {
            T::augment_args_for_update(command)
        }
    }
}
