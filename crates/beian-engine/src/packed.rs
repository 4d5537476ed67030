//! Several byte strings in one buffer, each found by its number without reading the others: how the
//! build embeds the patterns' automata and the entries' texts.
//!
//! Layout: a count, then an (offset, length) pair per item (length 0: none), all little-endian
//! `u32`, then the items.

/// Packs `items` in order.
pub fn pack(items: &[Option<Vec<u8>>]) -> Vec<u8> {
    let header = 4 + 8 * items.len();
    let word = |out: &mut Vec<u8>, value: usize| {
        out.extend_from_slice(&u32::try_from(value).expect("fits in u32").to_le_bytes())
    };
    let mut out = Vec::with_capacity(header);
    word(&mut out, items.len());
    let mut offset = header;
    for item in items {
        let len = item.as_ref().map_or(0, Vec::len);
        word(&mut out, offset);
        word(&mut out, len);
        offset += len;
    }
    for item in items.iter().flatten() {
        out.extend_from_slice(item);
    }
    out
}

/// What [`pack`] wrote, read in place.
#[derive(Debug, Clone, Copy)]
pub struct Packed {
    bytes: &'static [u8],
}

impl Packed {
    pub fn new(bytes: &'static [u8]) -> Packed {
        Packed { bytes }
    }

    /// How many items were packed.
    pub fn len(&self) -> usize {
        self.word(0).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item number `item`, unless it was none (or there is no such item).
    pub fn get(&self, item: usize) -> Option<&'static [u8]> {
        if item >= self.len() {
            return None;
        }
        let offset = self.word(4 + 8 * item)?;
        let len = self.word(8 + 8 * item)?;
        let bytes: &'static [u8] = self.bytes;
        (len > 0).then(|| bytes.get(offset..offset + len)).flatten()
    }

    fn word(&self, at: usize) -> Option<usize> {
        let bytes = self.bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_found_by_number() {
        let items = [Some(b"one".to_vec()), None, Some(b"three".to_vec())];
        let packed = Packed::new(Box::leak(pack(&items).into_boxed_slice()));
        assert_eq!(packed.len(), 3);
        assert_eq!(packed.get(0), Some(&b"one"[..]));
        assert_eq!(packed.get(1), None);
        assert_eq!(packed.get(2), Some(&b"three"[..]));
        assert_eq!(packed.get(3), None);
        assert!(Packed::new(&[]).is_empty());
    }
}
