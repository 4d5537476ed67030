//! The routes and their handlers. Each reply is what the matching command prints, made by the same
//! code: `/v1/ask` is `ask --json` (through [`ask::answer`]), `/v1/check` is `check --json`,
//! `/v1/entries` is `list --json` and `/v1/entries/{kind}/{slug}` is `show --json` (compact).

use super::guard::{self, Policy};
use super::reply::{self, read_body, require_media_type, ApiError};
use super::{stream, Shared};
use crate::commands::ask::{self, View};
use crate::commands::check::dates::today_in_china;
use crate::commands::check::report::CheckJson;
use crate::commands::check::{self, Syntax};
use crate::input::{self, has_words, NotText, NOTHING_TO_SEARCH};
use crate::render::json::EntryJson;
use crate::render::Lang;
use crate::settings::AnswerLang;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use beian_engine::kb::Kind;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceBuilder;

/// The largest body of `/v1/ask` and `/v1/check`: the advisor reads 64 KiB of a text, and a filing
/// is a small form.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// The page for agents: one file, its styles and script inline, nothing fetched from elsewhere.
const PAGE: &str = include_str!("page.html");

/// The page may run its own inline script and talk to this server, and nothing else.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What `/v1/check` calls the filing in its report (`beian check -` says `<stdin>`).
const REQUEST_NAME: &str = "<request>";

pub fn router(shared: Arc<Shared>, policy: Policy) -> Router {
    let timeout = policy.timeout;
    let limits = ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(
            move |err: tower::BoxError| async move { guard::refused(err, timeout) },
        ))
        .load_shed()
        .concurrency_limit(policy.concurrency)
        .timeout(timeout);
    let api = Router::new()
        .route("/v1/ask", post(post_ask))
        .route("/v1/triage", post(stream::triage))
        .route("/v1/check", post(post_check))
        .route("/v1/entries", get(get_entries))
        .route("/v1/entries/{kind}/{slug}", get(get_entry))
        .route("/v1/version", get(get_version))
        .layer(limits);
    let app = Router::new()
        .route("/", get(page))
        // Outside the limits: a busy server is still alive, and must not be restarted for it.
        .route("/healthz", get(health))
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared);
    guard::wrap(app, &policy)
}

/// A request's `lang`, as `--lang` takes it: `auto` (the question's language), `zh` or `en`.
pub fn parse_lang(text: &str) -> Result<AnswerLang, ApiError> {
    match text {
        "auto" => Ok(AnswerLang::Auto),
        "zh" => Ok(AnswerLang::Fixed(Lang::Zh)),
        "en" => Ok(AnswerLang::Fixed(Lang::En)),
        _ => Err(bad_lang()),
    }
}

impl Shared {
    /// The language a request is answered in: the one it names, else the `--lang` `beian serve` was
    /// started with (`auto` unless told otherwise).
    pub fn answer_lang(&self, requested: Option<AnswerLang>) -> AnswerLang {
        requested.unwrap_or(self.settings.lang)
    }
}

/// Runs CPU work (answering, checking) on the blocking pool, off the reactor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|_| {
        ApiError::internal("internal error while answering; the server log may say more")
    })?
}

async fn page() -> Response {
    let mut response = PAGE.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn health() -> Response {
    reply::json(&serde_json::json!({"status": "ok"}))
}

#[derive(Serialize)]
struct VersionJson {
    version: &'static str,
    knowledge_base: KnowledgeBaseJson,
}

#[derive(Serialize)]
struct KnowledgeBaseJson {
    entries: usize,
    /// The short hash `beian --version` prints.
    hash: String,
}

async fn get_version(State(shared): State<Arc<Shared>>) -> Response {
    let kb = shared.advisor.kb();
    reply::json(&VersionJson {
        version: crate::VERSION,
        knowledge_base: KnowledgeBaseJson {
            entries: kb.entries().len(),
            hash: crate::commands::version::short_hash(kb.fingerprint()),
        },
    })
}

/// A `/v1/ask` request, checked.
#[derive(Debug)]
struct AskRequest {
    text: String,
    top: usize,
    /// None: the server's `--lang`.
    lang: Option<AnswerLang>,
}

const ASK_SHAPE: &str = r#"{"text": "…", "top": 5, "lang": "auto"}"#;

fn parse_ask(bytes: &[u8]) -> Result<AskRequest, ApiError> {
    let body = input::utf8(bytes).map_err(|bad| {
        ApiError::bad_request(format!("the body is not valid UTF-8 (byte {})", bad.at))
    })?;
    let value: Value = serde_json::from_str(body)
        .map_err(|err| ApiError::bad_request(format!("the body is not valid JSON: {err}")))?;
    let Value::Object(mut fields) = value else {
        return Err(ApiError::bad_request(format!(
            "the body must be a JSON object: {ASK_SHAPE}"
        )));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|key| !["text", "top", "lang"].contains(&key.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "unknown field {unknown:?}; a request is {ASK_SHAPE}"
        )));
    }
    let text = match fields.remove("text") {
        Some(Value::String(text)) => text,
        Some(_) => return Err(ApiError::bad_request("\"text\" must be a string")),
        None => {
            return Err(ApiError::bad_request(format!(
                "\"text\" is missing; a request is {ASK_SHAPE}"
            )))
        }
    };
    let top = match fields.get("top") {
        None | Some(Value::Null) => 5,
        Some(value) => value
            .as_u64()
            .filter(|top| (1..=100).contains(top))
            .ok_or_else(|| ApiError::bad_request("\"top\" must be a whole number from 1 to 100"))?
            as usize,
    };
    let lang = match fields.get("lang") {
        None | Some(Value::Null) => None,
        Some(Value::String(lang)) => Some(parse_lang(lang)?),
        Some(_) => return Err(bad_lang()),
    };
    if input::nul(text.as_bytes()).is_some() {
        return Err(ApiError::bad_request("\"text\" contains NUL characters"));
    }
    if !has_words(&text) {
        return Err(ApiError::bad_request(format!(
            "\"text\": {NOTHING_TO_SEARCH}; send a question or a pasted notice"
        )));
    }
    Ok(AskRequest { text, top, lang })
}

fn bad_lang() -> ApiError {
    ApiError::bad_request("\"lang\" must be \"auto\", \"zh\" or \"en\"")
}

async fn post_ask(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_media_type(&headers, &["application/json"])?;
    let bytes = read_body(body, &headers, BODY_LIMIT).await?;
    let request = parse_ask(&bytes)?;
    let answer = blocking(move || {
        let view = View {
            json: true,
            top: request.top,
            explain: false,
            lang: shared.answer_lang(request.lang),
            length: crate::render::text::Length::Long,
        };
        let mut out = Vec::with_capacity(8 * 1024);
        ask::answer(
            &shared.settings,
            &shared.advisor,
            &request.text,
            view,
            &mut out,
        )
        .map_err(|err| ApiError::internal(format!("the engine failed: {err:#}")))?;
        Ok(out)
    })
    .await?;
    Ok(reply::json_bytes(answer))
}

async fn post_check(headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let media = require_media_type(&headers, &["application/json", "application/toml"])?;
    let bytes = read_body(body, &headers, BODY_LIMIT).await?;
    let syntax = if media == "application/toml" {
        Syntax::Toml
    } else {
        Syntax::Json
    };
    let report = blocking(move || {
        let text = input::text(&bytes).map_err(|bad| {
            ApiError::bad_request(match bad {
                NotText::Nul { .. } => "the filing contains NUL bytes; send text".to_string(),
                NotText::Utf8(bad) => {
                    format!("the filing is not valid UTF-8 (byte {})", bad.at)
                }
            })
        })?;
        let filing = check::parse(text, syntax).map_err(|err| {
            ApiError::bad_request(if err.line > 0 {
                format!("line {}: {}", err.line, err.message)
            } else {
                err.message
            })
        })?;
        let report = check::check(&filing, today_in_china());
        let mut out = Vec::new();
        crate::render::json::write(
            &mut out,
            &CheckJson::new(REQUEST_NAME, &filing, &report),
            false,
        )
        .map_err(|err| ApiError::internal(err.to_string()))?;
        out.push(b'\n');
        Ok(out)
    })
    .await?;
    Ok(reply::json_bytes(report))
}

async fn get_entries(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = query.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let mut kind = None;
    let mut lang = None;
    for (name, value) in &params {
        match name.as_str() {
            "kind" => kind = Some(value.parse::<Kind>().map_err(ApiError::bad_request)?),
            "lang" => lang = Some(parse_lang(value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; /v1/entries takes kind and lang"
                )))
            }
        }
    }
    // As `list --json`: there is no question, so `auto` is Chinese.
    let lang = shared.answer_lang(lang).without_text();
    let kb = shared.advisor.kb();
    let items: Vec<EntryJson> = kb
        .entries()
        .iter()
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .map(|e| EntryJson::new(e, lang, &kb.sources))
        .collect();
    Ok(reply::json(&items))
}

async fn get_entry(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path((kind, slug)) = path.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let Query(params) = query.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let mut lang = None;
    for (name, value) in &params {
        match name.as_str() {
            "lang" => lang = Some(parse_lang(value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; /v1/entries/{{kind}}/{{slug}} takes lang"
                )))
            }
        }
    }
    // As `show --json`: there is no question, so `auto` is Chinese.
    let lang = shared.answer_lang(lang).without_text();
    let id = format!("{kind}/{slug}");
    let kb = shared.advisor.kb();
    match kb.get(&id) {
        Some(entry) => Ok(reply::json(&EntryJson::new(entry, lang, &kb.sources))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no entry {:?}; GET /v1/entries lists them",
                crate::render::sanitize(&id)
            ),
        )),
    }
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "nothing at {method} {}; the API is under /v1 (ask, triage, check, entries, version)",
            uri.path()
        ),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not take {method}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> String {
        parse_ask(body.as_bytes()).unwrap_err().message
    }

    #[test]
    fn an_ask_request_defaults_to_five_results_in_the_default_language() {
        let request = parse_ask(r#"{"text": "备案被驳回了"}"#.as_bytes()).unwrap();
        assert_eq!(
            (request.text.as_str(), request.top, request.lang),
            ("备案被驳回了", 5, None)
        );
        let request = parse_ask(r#"{"text": "x1", "top": 2, "lang": "en"}"#.as_bytes()).unwrap();
        assert_eq!(
            (request.top, request.lang),
            (2, Some(AnswerLang::Fixed(Lang::En)))
        );
        let request = parse_ask(r#"{"text": "x1", "lang": "auto"}"#.as_bytes()).unwrap();
        assert_eq!(request.lang, Some(AnswerLang::Auto));
    }

    #[test]
    fn each_bad_field_is_named() {
        assert!(error_of(r#"{"txt": "a"}"#).contains("unknown field \"txt\""));
        assert!(error_of(r#"{"top": 3}"#).contains("\"text\" is missing"));
        assert!(error_of(r#"{"text": 5}"#).contains("must be a string"));
        assert!(error_of(r#"{"text": "a", "top": 0}"#).contains("1 to 100"));
        assert!(error_of(r#"{"text": "a", "top": "5"}"#).contains("1 to 100"));
        assert!(error_of(r#"{"text": "a", "lang": "fr"}"#).contains("\"lang\""));
        assert!(error_of(r#"{"text": "？？"}"#).contains("empty"));
        assert!(error_of(r#"{"text": "a\u0000b"}"#).contains("NUL"));
        assert!(error_of(r#"["text"]"#).contains("JSON object"));
        assert!(error_of(r#"{"text": "#).contains("not valid JSON"));
        assert!(parse_ask(b"{\"text\": \"\xff\"}")
            .unwrap_err()
            .message
            .contains("UTF-8 (byte 10)"));
    }
}
