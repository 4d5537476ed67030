//! Replies and request bodies: every error is `{"error": "…"}` with its status; JSON bodies carry
//! their content type; a body is read up to a limit, and what is over the limit is read and thrown
//! away (up to a point) so that the client reads the 413 instead of a reset connection.

use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use serde::Serialize;

/// What may be read and thrown away after a body went over its limit; past it the connection is
/// closed.
const DISCARD_LIMIT: u64 = 8 * 1024 * 1024;

/// An error reply: the status and one sentence for the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn too_large(limit: u64) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over the limit of {}", size(limit)),
        )
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(self.message.len() + 16);
        crate::render::json::write(
            &mut body,
            &ErrorJson {
                error: &self.message,
            },
            false,
        )
        .expect("writing JSON to memory cannot fail");
        body.push(b'\n');
        (self.status, json_bytes(body)).into_response()
    }
}

/// A JSON body, already serialized, with its content type.
pub fn json_bytes(body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `value` as a JSON reply, serialized as the commands write JSON (C1 controls escaped).
pub fn json<T: Serialize + ?Sized>(value: &T) -> Response {
    let mut body = Vec::new();
    crate::render::json::write(&mut body, value, false)
        .expect("writing JSON to memory cannot fail");
    body.push(b'\n');
    json_bytes(body)
}

/// The media type of the request (`application/json` of `application/json; charset=utf-8`), in
/// lower case; empty when there is none.
pub fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// 415 for a body that is not of one of the `accepted` media types.
pub fn require_media_type(headers: &HeaderMap, accepted: &[&str]) -> Result<String, ApiError> {
    let media = media_type(headers);
    if accepted.contains(&media.as_str()) {
        return Ok(media);
    }
    let given = if media.is_empty() {
        "no Content-Type".to_string()
    } else {
        format!("Content-Type {media}")
    };
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("{given}; send {}", accepted.join(" or ")),
    ))
}

/// The declared length of the body, if it declares one.
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Reads the whole body, at most `limit` bytes: 413 beyond it.
pub async fn read_body(body: Body, headers: &HeaderMap, limit: u64) -> Result<Bytes, ApiError> {
    if content_length(headers).is_some_and(|length| length > limit) {
        discard(body, headers).await;
        return Err(ApiError::too_large(limit));
    }
    let mut body = body;
    let mut bytes = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| unreadable(&err))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if (bytes.len() + data.len()) as u64 > limit {
            discard(body, headers).await;
            return Err(ApiError::too_large(limit));
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes.freeze())
}

/// The 400 for a body that could not be read (the client's connection broke, or a body timed out).
pub fn unreadable(err: &dyn std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("cannot read the body: {err}"))
}

/// Reads and drops the rest of a body that will not be used, so that a client that sends all of it
/// before reading the reply gets the reply. A client that asked `Expect: 100-continue` has not
/// sent it, and will not: nothing is read then.
pub async fn discard(body: Body, headers: &HeaderMap) {
    let expects_continue = headers
        .get(header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if expects_continue {
        return;
    }
    let mut body = body;
    let mut read: u64 = 0;
    while read <= DISCARD_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => {
                read += frame.data_ref().map_or(0, |data| data.len() as u64);
            }
            _ => return,
        }
    }
}

/// `65536` → "64 KiB".
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_written_on_the_command_line() {
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(64 << 20), "64 MiB");
        assert_eq!(size(1 << 30), "1 GiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn the_media_type_ignores_parameters_and_case() {
        let mut headers = HeaderMap::new();
        assert_eq!(media_type(&headers), "");
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert_eq!(media_type(&headers), "application/json");
    }
}
