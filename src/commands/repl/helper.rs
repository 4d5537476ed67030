//! Line-editor help for the REPL: tab completion of commands, entry ids and kinds, and a dimmed hint of
//! what a command takes or how an id goes on.

use super::command::{find_command, is_command, COMMANDS, LANG_CHOICES};
use crate::render::Palette;
use beian_engine::kb::Kind;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;

pub struct ReplHelper {
    /// Every entry id, sorted.
    ids: Vec<String>,
    palette: Palette,
}

impl ReplHelper {
    pub fn new(mut ids: Vec<String>, palette: Palette) -> ReplHelper {
        ids.sort();
        ReplHelper { ids, palette }
    }
}

/// A hint: what is shown after the cursor, and what the right arrow inserts.
pub struct CommandHint {
    display: String,
    completion: Option<String>,
}

impl Hint for CommandHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

/// Where the word being completed starts, and what can replace it.
pub fn completions(before_cursor: &str, ids: &[String]) -> (usize, Vec<Pair>) {
    if !is_command(before_cursor) && before_cursor.trim() != ":" {
        return (0, Vec::new());
    }
    let start = before_cursor.len() - before_cursor.trim_start().len();
    let line = &before_cursor[start..];
    let Some(space) = line.find(char::is_whitespace) else {
        // Completing the command name.
        let pairs = COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(line))
            .map(|c| Pair {
                display: c.name.to_string(),
                replacement: if c.takes_argument() {
                    format!("{} ", c.name)
                } else {
                    c.name.to_string()
                },
            })
            .collect();
        return (start, pairs);
    };
    let argument_start = start + space + (line[space..].len() - line[space..].trim_start().len());
    let argument = &before_cursor[argument_start..];
    if argument.contains(char::is_whitespace) {
        return (argument_start, Vec::new());
    }
    let words: Vec<String> = match find_command(&line[..space]).map(|c| c.name) {
        Some(":show") => matching_ids(argument, ids),
        Some(":list") => Kind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .filter(|k| k.starts_with(argument))
            .collect(),
        Some(":lang") => LANG_CHOICES
            .iter()
            .filter(|choice| choice.starts_with(argument))
            .map(|choice| choice.to_string())
            .collect(),
        _ => Vec::new(),
    };
    let pairs = words
        .into_iter()
        .map(|word| Pair {
            display: word.clone(),
            replacement: word,
        })
        .collect();
    (argument_start, pairs)
}

/// Ids that start with `prefix`; failing that, ids whose slug (after the `/`) does.
fn matching_ids(prefix: &str, ids: &[String]) -> Vec<String> {
    let by_id: Vec<String> = ids
        .iter()
        .filter(|id| id.starts_with(prefix))
        .cloned()
        .collect();
    if !by_id.is_empty() || prefix.is_empty() {
        return by_id;
    }
    ids.iter()
        .filter(|id| {
            id.rsplit('/')
                .next()
                .is_some_and(|slug| slug.starts_with(prefix))
        })
        .cloned()
        .collect()
}

/// The hint for the line when the cursor is at its end: the rest of a command name and its usage, what
/// a command's argument is, or the rest of the one id that the typed prefix can only be.
pub fn hint(line: &str, ids: &[String]) -> Option<CommandHint> {
    if !is_command(line) {
        return None;
    }
    let trimmed = line.trim_start();
    let Some(space) = trimmed.find(char::is_whitespace) else {
        let command = find_command(trimmed).filter(|c| c.name.starts_with(trimmed))?;
        let rest = &command.name[trimmed.len()..];
        let usage = if command.takes_argument() {
            format!(" {}", command.usage)
        } else {
            String::new()
        };
        return Some(CommandHint {
            display: format!("{rest}{usage}"),
            completion: (!rest.is_empty()).then(|| rest.to_string()),
        });
    };
    let command = find_command(&trimmed[..space])?;
    let argument = trimmed[space..].trim_start();
    if argument.is_empty() {
        return command.takes_argument().then(|| CommandHint {
            display: command.usage.to_string(),
            completion: None,
        });
    }
    if command.name != ":show" || argument.contains(char::is_whitespace) {
        return None;
    }
    match matching_ids(argument, ids).as_slice() {
        [only] if only.starts_with(argument) && only.len() > argument.len() => {
            let rest = only[argument.len()..].to_string();
            Some(CommandHint {
                display: rest.clone(),
                completion: Some(rest),
            })
        }
        _ => None,
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(completions(&line[..pos], &self.ids))
    }
}

impl Hinter for ReplHelper {
    type Hint = CommandHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<CommandHint> {
        if pos < line.len() {
            return None;
        }
        hint(line, &self.ids)
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.palette.enabled {
            Cow::Owned(self.palette.dim(hint))
        } else {
            Cow::Borrowed(hint)
        }
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        [
            "rejection/subject-mismatch",
            "rejection/site-name-invalid",
            "scenario/first-filing",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn replacements(before_cursor: &str) -> (usize, Vec<String>) {
        let (start, pairs) = completions(before_cursor, &ids());
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_command_names() {
        assert_eq!(replacements(":sh"), (0, vec![":show ".to_string()]));
        assert_eq!(replacements(":j"), (0, vec![":json".to_string()]));
        assert_eq!(replacements(":").1.len(), COMMANDS.len());
        assert_eq!(replacements("备案").1, Vec::<String>::new());
    }

    #[test]
    fn completes_ids_by_prefix_or_slug_and_kinds() {
        assert_eq!(replacements(":show rejection/s").1.len(), 2);
        assert_eq!(
            replacements(":show subj"),
            (6, vec!["rejection/subject-mismatch".to_string()])
        );
        assert_eq!(
            replacements(":s  sc"),
            (4, vec!["scenario/first-filing".to_string()])
        );
        assert_eq!(
            replacements(":list rej"),
            (6, vec!["rejection".to_string()])
        );
        assert_eq!(replacements(":lang a"), (6, vec!["auto".to_string()]));
        assert_eq!(replacements(":la ").1, ["zh", "en", "auto"]);
    }

    #[test]
    fn hints_the_rest_of_a_command_and_of_a_unique_id() {
        let h = hint(":sh", &ids()).unwrap();
        assert_eq!((h.display(), h.completion()), ("ow N|ID", Some("ow")));
        let h = hint(":show ", &ids()).unwrap();
        assert_eq!((h.display(), h.completion()), ("N|ID", None));
        let h = hint(":show scen", &ids()).unwrap();
        assert_eq!(h.completion(), Some("ario/first-filing"));
        assert!(
            hint(":show rejection/s", &ids()).is_none(),
            "two ids match: no hint"
        );
        assert!(hint("备案", &ids()).is_none());
    }
}
