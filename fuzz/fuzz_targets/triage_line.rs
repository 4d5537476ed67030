//! The triage line parser on arbitrary bytes, as JSON Lines and as plain text: a ticket or an error
//! record's id and message, never a panic. A text ticket keeps the line's text; an error has a message.
#![no_main]

use beian::commands::triage::{parse_line, InputKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (number, kind) in [(1, InputKind::Json), (2, InputKind::Text)] {
        match parse_line(data, number, kind) {
            Ok(ticket) => {
                if kind == InputKind::Text {
                    assert_eq!(ticket.id, serde_json::Value::from(number));
                    assert!(!ticket.text.contains('\0'));
                }
            }
            Err(error) => {
                assert!(!error.message.is_empty());
                assert!(!error.id.is_null());
            }
        }
    }
});
