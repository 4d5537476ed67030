//! What a line of REPL input means: a `:command` or a query.

use crate::render::Lang;
use crate::settings::AnswerLang;
use beian_engine::kb::Kind;

/// One line (or one pasted block) of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Query(String),
    /// `:show` alone opens the best answer of the last query.
    Show(Option<Target>),
    List(Option<Kind>),
    /// `:lang` alone says which language answers are in.
    Lang(Option<AnswerLang>),
    Json,
    Help,
    Quit,
}

/// What `:show` opens: a rank in the last answer, or an entry id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Rank(usize),
    Id(String),
}

/// A command of the REPL, for parsing, completion, hints and `:help`.
pub struct CommandSpec {
    pub name: &'static str,
    pub usage: &'static str,
    help_zh: &'static str,
    help_en: &'static str,
}

impl CommandSpec {
    pub fn help(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.help_zh,
            Lang::En => self.help_en,
        }
    }

    /// Whether the command takes an argument (completion then adds a space after the name).
    pub fn takes_argument(&self) -> bool {
        !self.usage.is_empty()
    }
}

/// Every command. A prefix names the first command in this list that starts with it: `:s` is
/// `:show`, `:l` stays `:list` (as it was before `:lang`), `:la` is `:lang`.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: ":show",
        usage: "N|ID",
        help_zh: "完整显示上一个回答的第 N 个结果，或某个条目（:show rejection/subject-mismatch）",
        help_en: "show result N of the last answer, or an entry by id, in full",
    },
    CommandSpec {
        name: ":list",
        usage: "[KIND]",
        help_zh: "列出条目；KIND 为 scenario、process、rejection、risk 或 faq",
        help_en: "list the entries; KIND is scenario, process, rejection, risk or faq",
    },
    CommandSpec {
        name: ":lang",
        usage: "zh|en|auto",
        help_zh: "回答语言：zh 中文，en 英文，auto 跟随问题的语言（默认）",
        help_en:
            "the language of answers: zh Chinese, en English, auto the question's (the default)",
    },
    CommandSpec {
        name: ":json",
        usage: "",
        help_zh: "切换 JSON 输出（与 beian ask --json 相同的格式）",
        help_en: "toggle JSON output (the format of beian ask --json)",
    },
    CommandSpec {
        name: ":help",
        usage: "",
        help_zh: "显示这份说明",
        help_en: "show this help",
    },
    CommandSpec {
        name: ":quit",
        usage: "",
        help_zh: "退出（也可以按 Ctrl-D）",
        help_en: "quit (Ctrl-D too)",
    },
];

/// The command a word names: a whole name or a prefix of one (`:sh` → `:show`); `:exit` is `:quit`.
pub fn find_command(word: &str) -> Option<&'static CommandSpec> {
    if word == ":exit" {
        return COMMANDS.iter().find(|c| c.name == ":quit");
    }
    if word.len() < 2 {
        return None;
    }
    COMMANDS.iter().find(|c| c.name.starts_with(word))
}

/// Whether the line is a command rather than a query: `:` followed by a letter.
pub fn is_command(line: &str) -> bool {
    let mut chars = line.trim_start().chars();
    chars.next() == Some(':') && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Parses one input. `Ok(None)` for a blank line; `Err` holds a message for the user.
pub fn parse(line: &str) -> Result<Option<Input>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    if !is_command(line) {
        return Ok(Some(Input::Query(line.trim().to_string())));
    }
    let mut words = line.split_whitespace();
    let word = words.next().unwrap_or_default();
    let argument = words.next();
    if let Some(extra) = words.next() {
        return Err(format!(
            "{word} takes one argument at most; '{extra}' is one too many"
        ));
    }
    let Some(command) = find_command(word) else {
        return Err(format!("unknown command {word}; :help lists the commands"));
    };
    let input = match command.name {
        ":show" => Input::Show(argument.map(parse_target).transpose()?),
        ":list" => Input::List(argument.map(parse_kind).transpose()?),
        ":lang" => Input::Lang(argument.map(parse_lang).transpose()?),
        name => {
            if let Some(argument) = argument {
                return Err(format!("{name} takes no argument (got '{argument}')"));
            }
            match name {
                ":json" => Input::Json,
                ":help" => Input::Help,
                _ => Input::Quit,
            }
        }
    };
    Ok(Some(input))
}

fn parse_target(argument: &str) -> Result<Target, String> {
    if argument.chars().all(|c| c.is_ascii_digit()) {
        return match argument.parse::<usize>() {
            Ok(rank) if rank > 0 => Ok(Target::Rank(rank)),
            _ => Err(format!("no result {argument}; results are numbered from 1")),
        };
    }
    Ok(Target::Id(argument.to_string()))
}

/// The words `:lang` takes.
pub const LANG_CHOICES: [&str; 3] = ["zh", "en", "auto"];

fn parse_lang(argument: &str) -> Result<AnswerLang, String> {
    match argument.to_ascii_lowercase().as_str() {
        "auto" => Ok(AnswerLang::Auto),
        other => other
            .parse::<Lang>()
            .map(AnswerLang::Fixed)
            .map_err(|_| format!("unknown language '{argument}' (zh, en or auto)")),
    }
}

/// A kind by its name (`rejection`) or its Chinese label (`驳回原因`).
pub fn parse_kind(argument: &str) -> Result<Kind, String> {
    let folded = argument.to_ascii_lowercase();
    Kind::ALL
        .into_iter()
        .find(|kind| kind.as_str() == folded || kind.label_zh() == argument)
        .ok_or_else(|| {
            format!("unknown kind '{argument}' (scenario, process, rejection, risk or faq)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_everything_that_is_not_a_command() {
        assert_eq!(
            parse("  备案退回后下一步做什么 \n").unwrap(),
            Some(Input::Query("备案退回后下一步做什么".into()))
        );
        assert_eq!(
            parse("：全角冒号不是命令").unwrap(),
            Some(Input::Query("：全角冒号不是命令".into()))
        );
        assert_eq!(
            parse(":-) 备案").unwrap(),
            Some(Input::Query(":-) 备案".into()))
        );
        assert_eq!(parse(" \t ").unwrap(), None);
    }

    #[test]
    fn commands_accept_any_prefix_of_their_name() {
        assert_eq!(
            parse(":show 2").unwrap(),
            Some(Input::Show(Some(Target::Rank(2))))
        );
        assert_eq!(parse(":sh").unwrap(), Some(Input::Show(None)));
        assert_eq!(
            parse(":s rejection/subject-mismatch").unwrap(),
            Some(Input::Show(Some(Target::Id(
                "rejection/subject-mismatch".into()
            ))))
        );
        assert_eq!(
            parse(":l risk").unwrap(),
            Some(Input::List(Some(Kind::Risk)))
        );
        assert_eq!(
            parse(":list 驳回原因").unwrap(),
            Some(Input::List(Some(Kind::Rejection)))
        );
        assert_eq!(parse(":list").unwrap(), Some(Input::List(None)));
        assert_eq!(
            parse(":l").unwrap(),
            Some(Input::List(None)),
            ":l stays :list"
        );
        assert_eq!(
            parse(":la en").unwrap(),
            Some(Input::Lang(Some(AnswerLang::Fixed(Lang::En))))
        );
        assert_eq!(
            parse(":lang AUTO").unwrap(),
            Some(Input::Lang(Some(AnswerLang::Auto)))
        );
        assert_eq!(parse(":lang").unwrap(), Some(Input::Lang(None)));
        assert_eq!(parse(":j").unwrap(), Some(Input::Json));
        assert_eq!(parse(":help").unwrap(), Some(Input::Help));
        assert_eq!(parse(":q").unwrap(), Some(Input::Quit));
        assert_eq!(parse(":exit").unwrap(), Some(Input::Quit));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert!(parse(":frobnicate").unwrap_err().contains(":help"));
        assert!(parse(":show 0").unwrap_err().contains("from 1"));
        assert!(parse(":list planets").unwrap_err().contains("unknown kind"));
        assert!(parse(":lang fr").unwrap_err().contains("zh, en or auto"));
        assert!(parse(":json on").unwrap_err().contains("no argument"));
        assert!(parse(":show 1 2").unwrap_err().contains("one argument"));
    }
}
