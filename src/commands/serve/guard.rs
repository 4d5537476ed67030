//! The middleware around the routes: one log line per request, the token, CORS when asked for, a
//! reply instead of a panic, and the limits (requests at once, time per request).

use super::reply::{discard, ApiError};
use crate::outcome::user_error;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tower::BoxError;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How the server guards its routes.
#[derive(Debug, Clone)]
pub struct Policy {
    pub token: Option<String>,
    pub cors: Option<AllowOrigin>,
    pub concurrency: usize,
    pub timeout: Duration,
}

/// Paths anyone may fetch: the load balancer's health check, and the page, which holds no data (it
/// asks the agent for the token and sends it with every API call).
const OPEN_PATHS: [&str; 2] = ["/healthz", "/"];

/// `--cors ORIGIN`: `scheme://host[:port]` as browsers send it in `Origin`, or `*`.
pub fn cors_origin(text: &str) -> anyhow::Result<AllowOrigin> {
    if text == "*" {
        return Ok(AllowOrigin::any());
    }
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let valid = rest.is_some_and(|host| {
        !host.is_empty()
            && !host.contains('/')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    });
    if !valid {
        return Err(user_error(format!(
            "--cors {text:?} is not an origin; write it as browsers send it, e.g. https://desk.example.com (no path, no trailing slash), or *"
        )));
    }
    let value = HeaderValue::from_str(text).map_err(|err| user_error(err.to_string()))?;
    Ok(AllowOrigin::exact(value))
}

/// The routes with the middleware around them, outermost last: the log sees every reply.
pub fn wrap(app: Router, policy: &Policy) -> Router {
    let mut app = app;
    if let Some(token) = &policy.token {
        app = app.layer(middleware::from_fn_with_state(
            Arc::new(token.clone()),
            require_token,
        ));
    }
    // Outside the token check: a browser's preflight request never carries the token.
    if let Some(origin) = &policy.cors {
        app = app.layer(
            CorsLayer::new()
                .allow_origin(origin.clone())
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    }
    app.layer(CatchPanicLayer::custom(|_panic| {
        ApiError::internal("internal error; the server log may say more").into_response()
    }))
    .layer(middleware::from_fn(log))
}

/// The reply to a request the limits refused: 503, with a hint when to retry.
pub fn refused(err: BoxError, timeout: Duration) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request was not answered within {} s",
                timeout.as_secs()
            ),
        )
        .into_response();
    }
    let message = if err.is::<tower::load_shed::error::Overloaded>() {
        "the server is busy; retry in a moment".to_string()
    } else {
        format!("the request failed: {err}")
    };
    let mut response = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

async fn require_token(State(token): State<Arc<String>>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, credentials) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| credentials.trim())
        });
    let message = match given {
        // Constant time: how much of a guess is right must not show in how long the answer takes.
        Some(given) if bool::from(given.as_bytes().ct_eq(token.as_bytes())) => {
            return next.run(request).await
        }
        Some(_) => "the token is wrong",
        None => "this server needs a token: send Authorization: Bearer <token>",
    };
    let (parts, body) = request.into_parts();
    discard(body, &parts.headers).await;
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Logs one line per request to stderr once its reply has been sent (or has failed): time, method,
/// path, status, duration. Every reply also says it is not to be cached or sniffed.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(200).collect();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let line = Line {
        method,
        path,
        status: response.status(),
        started,
    };
    response.map(|body| {
        Body::new(Logged {
            body,
            line: Some(line),
        })
    })
}

/// What the log line of a request says.
struct Line {
    method: Method,
    path: String,
    status: StatusCode,
    started: Instant,
}

impl Line {
    fn write(&self, trouble: Option<&str>) {
        let elapsed = self.started.elapsed().as_secs_f64() * 1000.0;
        let now = time::OffsetDateTime::now_utc();
        let trouble = trouble.map(|t| format!(" ({t})")).unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {} {} {elapsed:.2}ms{trouble}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.millisecond(),
            self.method,
            self.path,
            self.status.as_u16(),
        );
    }
}

/// A reply body that writes the request's log line when it has been sent whole, has failed, or
/// was dropped unsent (the client went away).
struct Logged {
    body: Body,
    line: Option<Line>,
}

impl Logged {
    fn finish(&mut self, trouble: Option<&str>) {
        if let Some(line) = self.line.take() {
            line.write(trouble);
        }
    }
}

impl http_body::Body for Logged {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => this.finish(None),
            Poll::Ready(Some(Err(err))) => this.finish(Some(&format!("cut: {err}"))),
            // A body of known length is not polled again after its last frame.
            Poll::Ready(Some(Ok(_))) if this.body.is_end_stream() => this.finish(None),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if self.body.is_end_stream() {
            self.finish(None);
        } else {
            self.finish(Some("the client left before the end"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_a_scheme_and_a_host() {
        assert!(cors_origin("https://desk.example.com").is_ok());
        assert!(cors_origin("http://localhost:3000").is_ok());
        assert!(cors_origin("*").is_ok());
        for bad in [
            "desk.example.com",
            "https://desk.example.com/",
            "https://",
            "ftp://x",
        ] {
            assert!(cors_origin(bad).is_err(), "{bad}");
        }
    }
}
