//! Error text built during const evaluation, so a compile-time check can say which
//! numbers are wrong and which would be right (`panic!` in a `const` block can print a
//! `&str` but cannot format integers).

/// A short ASCII message assembled in a `const fn`.
pub(crate) struct Message {
    bytes: [u8; 320],
    len: usize,
}

impl Message {
    pub(crate) const fn new() -> Self {
        Message {
            bytes: [0; 320],
            len: 0,
        }
    }

    /// Appends `text`; what does not fit is cut off.
    pub(crate) const fn text(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Appends `value` in decimal.
    pub(crate) const fn num(mut self, mut value: usize) -> Self {
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (value % 10) as u8;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        while count > 0 && self.len < self.bytes.len() {
            count -= 1;
            self.bytes[self.len] = digits[count];
            self.len += 1;
        }
        self
    }

    /// The message so far.
    pub(crate) const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            // Only ASCII is ever appended, and it is cut at byte boundaries.
            Err(_) => "tinyalloc: invalid configuration",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_text_with_numbers() {
        extern crate std;
        const M: Message = Message::new().text("a=").num(0).text(" b=").num(1_234_567);
        assert_eq!(M.as_str(), "a=0 b=1234567");
        let max = std::format!("{}", usize::MAX);
        assert_eq!(Message::new().num(usize::MAX).as_str(), max);
    }

    #[test]
    fn cuts_what_does_not_fit() {
        let mut m = Message::new();
        for _ in 0..100 {
            m = m.text("abcd");
        }
        assert_eq!(m.as_str().len(), 320);
    }
}
