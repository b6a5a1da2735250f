//! Go's `compress/flate` compressor at the default level (6), byte for byte, so that
//! `base64gzip` produces exactly the text Terraform produces (a different but valid deflate
//! stream would make every plan show a change against state Terraform wrote).
//!
//! A port of `deflate.go` (lazy matching over hash chains, `hash4`, levels table) and
//! `huffman_bit_writer.go` / `huffman_code.go` (per block: fixed, dynamic or stored,
//! whichever is smallest; Go's length-limited Huffman code construction).

const WINDOW_SIZE: usize = 1 << 15;
const WINDOW_MASK: usize = WINDOW_SIZE - 1;
const MIN_MATCH: usize = 4;
const MAX_MATCH: usize = 258;
const BASE_MATCH_LENGTH: usize = 3;
const BASE_MATCH_OFFSET: usize = 1;
const MAX_FLATE_BLOCK_TOKENS: usize = 1 << 14;
const MAX_STORE_BLOCK_SIZE: usize = 65535;
const HASH_BITS: u32 = 17;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: usize = HASH_SIZE - 1;
const MAX_HASH_OFFSET: usize = 1 << 24;
const HASHMUL: u32 = 0x1e35a7bd;

// Level 6.
const GOOD: usize = 8;
const LAZY: usize = 16;
const NICE: usize = 128;
const CHAIN: usize = 128;

#[derive(Clone, Copy)]
enum Token {
    Literal(u16),
    /// (length - 3, offset - 1)
    Match(u16, u16),
}

const END_BLOCK: Token = Token::Literal(256);

fn hash4(b: &[u8]) -> u32 {
    (u32::from(b[3]) | u32::from(b[2]) << 8 | u32::from(b[1]) << 16 | u32::from(b[0]) << 24).wrapping_mul(HASHMUL) >> (32 - HASH_BITS)
}

struct Compressor {
    w: BitWriter,
    chain_head: isize,
    hash_head: Vec<u32>,
    hash_prev: Vec<u32>,
    hash_offset: usize,
    index: usize,
    window: Vec<u8>,
    window_end: usize,
    block_start: usize,
    byte_available: bool,
    sync: bool,
    tokens: Vec<Token>,
    length: usize,
    offset: usize,
    max_insert_index: usize,
}

impl Compressor {
    fn new() -> Self {
        Compressor {
            w: BitWriter::new(),
            chain_head: -1,
            hash_head: vec![0; HASH_SIZE],
            hash_prev: vec![0; WINDOW_SIZE],
            hash_offset: 1,
            index: 0,
            window: vec![0; 2 * WINDOW_SIZE],
            window_end: 0,
            block_start: 0,
            byte_available: false,
            sync: false,
            tokens: Vec::with_capacity(MAX_FLATE_BLOCK_TOKENS + 1),
            length: MIN_MATCH - 1,
            offset: 0,
            max_insert_index: 0,
        }
    }

    fn fill(&mut self, b: &[u8]) -> usize {
        if self.index >= 2 * WINDOW_SIZE - (MIN_MATCH + MAX_MATCH) {
            self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
            self.index -= WINDOW_SIZE;
            self.window_end -= WINDOW_SIZE;
            if self.block_start >= WINDOW_SIZE {
                self.block_start -= WINDOW_SIZE;
            } else {
                self.block_start = usize::MAX;
            }
            self.hash_offset += WINDOW_SIZE;
            if self.hash_offset > MAX_HASH_OFFSET {
                let delta = self.hash_offset - 1;
                self.hash_offset -= delta;
                self.chain_head -= delta as isize;
                for v in self.hash_prev.iter_mut().chain(self.hash_head.iter_mut()) {
                    *v = if *v as usize > delta { (*v as usize - delta) as u32 } else { 0 };
                }
            }
        }
        let n = b.len().min(self.window.len() - self.window_end);
        self.window[self.window_end..self.window_end + n].copy_from_slice(&b[..n]);
        self.window_end += n;
        n
    }

    fn write_block(&mut self, index: usize) {
        if index > 0 {
            let window = if self.block_start <= index { Some(self.window[self.block_start..index].to_vec()) } else { None };
            self.block_start = index;
            let tokens = std::mem::take(&mut self.tokens);
            self.w.write_block(&tokens, false, window.as_deref());
            self.tokens = tokens;
        }
        self.tokens.clear();
    }

    fn find_match(&self, pos: usize, prev_head: usize, prev_length: usize, lookahead: usize) -> Option<(usize, usize)> {
        let min_match_look = MAX_MATCH.min(lookahead);
        let win = &self.window[..pos + min_match_look];
        let nice = (win.len() - pos).min(NICE);
        let mut tries = CHAIN;
        let mut length = prev_length;
        if length >= GOOD {
            tries >>= 2;
        }
        let mut w_end = win[pos + length];
        let w_pos = &win[pos..];
        let min_index = pos as isize - WINDOW_SIZE as isize;
        let mut found = None;
        let mut i = prev_head as isize;
        while tries > 0 {
            let iu = i as usize;
            if w_end == win[iu + length] {
                let n = match_len(&win[iu..], w_pos, min_match_look);
                if n > length && (n > MIN_MATCH || pos - iu <= 4096) {
                    length = n;
                    found = Some((n, pos - iu));
                    if n >= nice {
                        break;
                    }
                    w_end = win[pos + n];
                }
            }
            if i == min_index {
                break;
            }
            i = self.hash_prev[iu & WINDOW_MASK] as isize - self.hash_offset as isize;
            if i < min_index || i < 0 {
                break;
            }
            tries -= 1;
        }
        found
    }

    fn deflate(&mut self) {
        if self.window_end - self.index < MIN_MATCH + MAX_MATCH && !self.sync {
            return;
        }
        self.max_insert_index = self.window_end.saturating_sub(MIN_MATCH - 1);
        loop {
            let lookahead = self.window_end - self.index;
            if lookahead < MIN_MATCH + MAX_MATCH {
                if !self.sync {
                    break;
                }
                if lookahead == 0 {
                    if self.byte_available {
                        self.tokens.push(Token::Literal(u16::from(self.window[self.index - 1])));
                        self.byte_available = false;
                    }
                    if !self.tokens.is_empty() {
                        self.write_block(self.index);
                    }
                    break;
                }
            }
            if self.index < self.max_insert_index {
                let hash = hash4(&self.window[self.index..self.index + MIN_MATCH]) as usize;
                let hh = &mut self.hash_head[hash & HASH_MASK];
                self.chain_head = *hh as isize;
                self.hash_prev[self.index & WINDOW_MASK] = self.chain_head as u32;
                *hh = (self.index + self.hash_offset) as u32;
            }
            let prev_length = self.length;
            let prev_offset = self.offset;
            self.length = MIN_MATCH - 1;
            self.offset = 0;
            let min_index = self.index.saturating_sub(WINDOW_SIZE) as isize;
            let head = self.chain_head - self.hash_offset as isize;
            if head >= min_index && lookahead > prev_length && prev_length < LAZY {
                if let Some((l, o)) = self.find_match(self.index, head as usize, MIN_MATCH - 1, lookahead) {
                    self.length = l;
                    self.offset = o;
                }
            }
            if prev_length >= MIN_MATCH && self.length <= prev_length {
                // The previous match is at least as good: output it.
                self.tokens.push(Token::Match((prev_length - BASE_MATCH_LENGTH) as u16, (prev_offset - BASE_MATCH_OFFSET) as u16));
                let new_index = self.index + prev_length - 1;
                let mut index = self.index + 1;
                while index < new_index {
                    if index < self.max_insert_index {
                        let hash = hash4(&self.window[index..index + MIN_MATCH]) as usize;
                        let hh = &mut self.hash_head[hash & HASH_MASK];
                        self.hash_prev[index & WINDOW_MASK] = *hh;
                        *hh = (index + self.hash_offset) as u32;
                    }
                    index += 1;
                }
                self.index = index;
                self.byte_available = false;
                self.length = MIN_MATCH - 1;
                if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                    self.write_block(self.index);
                }
            } else {
                if self.byte_available {
                    let i = self.index - 1;
                    self.tokens.push(Token::Literal(u16::from(self.window[i])));
                    if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                        self.write_block(i + 1);
                    }
                }
                self.index += 1;
                self.byte_available = true;
            }
        }
    }

    fn write(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            self.deflate();
            let n = self.fill(b);
            b = &b[n..];
        }
    }

    fn sync_flush(&mut self) {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, false);
        self.w.flush();
        self.sync = false;
    }

    fn close(&mut self) {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, true);
        self.w.flush();
    }
}

fn match_len(a: &[u8], b: &[u8], max: usize) -> usize {
    let a = &a[..max.min(a.len())];
    let b = &b[..max.min(b.len())];
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

// --- Huffman codes -------------------------------------------------------------------

#[derive(Clone, Copy, Default)]
struct HCode {
    code: u16,
    len: u16,
}

fn reverse_bits(number: u16, bit_length: u8) -> u16 {
    number.reverse_bits() >> (16 - u16::from(bit_length))
}

struct Encoder {
    codes: Vec<HCode>,
}

#[derive(Clone, Copy)]
struct LiteralNode {
    literal: u16,
    freq: i32,
}

#[derive(Clone, Copy, Default)]
struct LevelInfo {
    level: i32,
    last_freq: i32,
    next_char_freq: i32,
    next_pair_freq: i32,
    needed: i32,
}

impl Encoder {
    fn new(size: usize) -> Self {
        Encoder { codes: vec![HCode::default(); size] }
    }

    fn bit_length(&self, freq: &[i32]) -> i64 {
        freq.iter().enumerate().filter(|(_, f)| **f != 0).map(|(i, f)| i64::from(*f) * i64::from(self.codes[i].len)).sum()
    }

    fn generate(&mut self, freq: &[i32], max_bits: i32) {
        let mut list: Vec<LiteralNode> = Vec::with_capacity(freq.len() + 1);
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 {
                list.push(LiteralNode { literal: i as u16, freq: f });
            } else {
                self.codes[i].len = 0;
            }
        }
        if list.len() <= 2 {
            for (i, node) in list.iter().enumerate() {
                self.codes[node.literal as usize] = HCode { code: i as u16, len: 1 };
            }
            return;
        }
        list.sort_by(|a, b| a.freq.cmp(&b.freq).then(a.literal.cmp(&b.literal)));
        let bit_count = bit_counts(&mut list, max_bits);
        // assignEncodingAndSize
        let mut code: u16 = 0;
        let mut rest: &mut [LiteralNode] = &mut list[..];
        for (n, &bits) in bit_count.iter().enumerate() {
            code <<= 1;
            if n == 0 || bits == 0 {
                continue;
            }
            let len = rest.len();
            let (head, chunk) = rest.split_at_mut(len - bits as usize);
            chunk.sort_by_key(|x| x.literal);
            for node in chunk.iter() {
                self.codes[node.literal as usize] = HCode { code: reverse_bits(code, n as u8), len: n as u16 };
                code = code.wrapping_add(1);
            }
            rest = head;
        }
    }
}

fn bit_counts(list: &mut Vec<LiteralNode>, mut max_bits: i32) -> Vec<i32> {
    // One more than Go's maxBitsLimit: an index Go would never reach cannot panic here.
    const MAX_BITS_LIMIT: usize = 17;
    let n = list.len() as i32;
    list.push(LiteralNode { literal: u16::MAX, freq: i32::MAX });
    if max_bits > n - 1 {
        max_bits = n - 1;
    }
    let mut levels = [LevelInfo::default(); MAX_BITS_LIMIT];
    let mut leaf_counts = [[0i32; MAX_BITS_LIMIT]; MAX_BITS_LIMIT];
    for level in 1..=max_bits {
        let l = level as usize;
        levels[l] = LevelInfo { level, last_freq: list[1].freq, next_char_freq: list[2].freq, next_pair_freq: list[0].freq + list[1].freq, needed: 0 };
        leaf_counts[l][l] = 2;
        if level == 1 {
            levels[l].next_pair_freq = i32::MAX;
        }
    }
    levels[max_bits as usize].needed = 2 * n - 4;
    let mut level = max_bits as usize;
    loop {
        let l = levels[level];
        if l.next_pair_freq == i32::MAX && l.next_char_freq == i32::MAX {
            levels[level].needed = 0;
            levels[level + 1].next_pair_freq = i32::MAX;
            level += 1;
            continue;
        }
        let prev_freq = l.last_freq;
        if l.next_char_freq < l.next_pair_freq {
            let nn = leaf_counts[level][level] + 1;
            levels[level].last_freq = l.next_char_freq;
            leaf_counts[level][level] = nn;
            levels[level].next_char_freq = list[nn as usize].freq;
        } else {
            levels[level].last_freq = l.next_pair_freq;
            let (lower, upper) = leaf_counts.split_at_mut(level);
            upper[0][..level].copy_from_slice(&lower[level - 1][..level]);
            levels[(l.level - 1) as usize].needed = 2;
        }
        levels[level].needed -= 1;
        if levels[level].needed == 0 {
            if levels[level].level == max_bits {
                break;
            }
            levels[level + 1].next_pair_freq = prev_freq + levels[level].last_freq;
            level += 1;
        } else {
            while levels[level - 1].needed > 0 {
                level -= 1;
            }
        }
    }
    let mut bit_count = vec![0i32; max_bits as usize + 1];
    let mut bits = 1;
    let counts = &leaf_counts[max_bits as usize];
    let mut level = max_bits as usize;
    while level > 0 {
        bit_count[bits] = counts[level] - counts[level - 1];
        bits += 1;
        level -= 1;
    }
    list.pop();
    bit_count
}

fn fixed_literal_encoding() -> Encoder {
    let mut h = Encoder::new(286);
    for ch in 0..286u16 {
        let (bits, size) = match ch {
            0..=143 => (ch + 0x30, 8),
            144..=255 => (ch + 0x190 - 144, 9),
            256..=279 => (ch - 256, 7),
            _ => (ch + 0xc0 - 280, 8),
        };
        h.codes[ch as usize] = HCode { code: reverse_bits(bits, size as u8), len: size };
    }
    h
}

fn fixed_offset_encoding() -> Encoder {
    let mut h = Encoder::new(30);
    for ch in 0..30u16 {
        h.codes[ch as usize] = HCode { code: reverse_bits(ch, 5), len: 5 };
    }
    h
}

// --- Bit writer ----------------------------------------------------------------------

const LENGTH_CODES_START: usize = 257;
const CODEGEN_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const LENGTH_EXTRA_BITS: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const LENGTH_BASE: [u32; 29] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 255];
const OFFSET_EXTRA_BITS: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const OFFSET_BASE: [u32; 30] = [
    0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576,
];
const BAD_CODE: u8 = 255;

fn length_code(len: u32) -> usize {
    LENGTH_BASE.iter().rposition(|&b| b <= len).unwrap_or(0)
}

fn offset_code(off: u32) -> usize {
    OFFSET_BASE.iter().rposition(|&b| b <= off).unwrap_or(0)
}

struct BitWriter {
    out: Vec<u8>,
    bits: u64,
    nbits: u32,
    literal_freq: Vec<i32>,
    offset_freq: Vec<i32>,
    codegen: Vec<u8>,
    codegen_freq: [i32; 19],
    literal_encoding: Encoder,
    offset_encoding: Encoder,
    codegen_encoding: Encoder,
    fixed_lit: Encoder,
    fixed_off: Encoder,
}

impl BitWriter {
    fn new() -> Self {
        BitWriter {
            out: Vec::new(),
            bits: 0,
            nbits: 0,
            literal_freq: vec![0; 286],
            offset_freq: vec![0; 30],
            codegen: vec![0; 286 + 30 + 1],
            codegen_freq: [0; 19],
            literal_encoding: Encoder::new(286),
            offset_encoding: Encoder::new(30),
            codegen_encoding: Encoder::new(19),
            fixed_lit: fixed_literal_encoding(),
            fixed_off: fixed_offset_encoding(),
        }
    }

    fn write_bits(&mut self, b: u32, nb: u32) {
        self.bits |= u64::from(b) << self.nbits;
        self.nbits += nb;
        while self.nbits >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits -= 8;
        }
    }

    fn write_code(&mut self, c: HCode) {
        self.write_bits(u32::from(c.code), u32::from(c.len));
    }

    fn flush(&mut self) {
        while self.nbits > 0 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits = self.nbits.saturating_sub(8);
        }
        self.bits = 0;
    }

    fn write_stored_header(&mut self, length: usize, eof: bool) {
        self.write_bits(u32::from(eof), 3);
        self.flush();
        self.write_bits(length as u32, 16);
        self.write_bits(u32::from(!(length as u16)), 16);
    }

    fn index_tokens(&mut self, tokens: &[Token]) -> (usize, usize) {
        self.literal_freq.iter_mut().for_each(|f| *f = 0);
        self.offset_freq.iter_mut().for_each(|f| *f = 0);
        for t in tokens {
            match *t {
                Token::Literal(l) => self.literal_freq[l as usize] += 1,
                Token::Match(len, off) => {
                    self.literal_freq[LENGTH_CODES_START + length_code(u32::from(len))] += 1;
                    self.offset_freq[offset_code(u32::from(off))] += 1;
                }
            }
        }
        let mut num_literals = self.literal_freq.len();
        while self.literal_freq[num_literals - 1] == 0 {
            num_literals -= 1;
        }
        let mut num_offsets = self.offset_freq.len();
        while num_offsets > 0 && self.offset_freq[num_offsets - 1] == 0 {
            num_offsets -= 1;
        }
        if num_offsets == 0 {
            self.offset_freq[0] = 1;
            num_offsets = 1;
        }
        let lf = self.literal_freq.clone();
        self.literal_encoding.generate(&lf, 15);
        let of = self.offset_freq.clone();
        self.offset_encoding.generate(&of, 15);
        (num_literals, num_offsets)
    }

    fn generate_codegen(&mut self, num_literals: usize, num_offsets: usize) {
        self.codegen_freq = [0; 19];
        let codegen = &mut self.codegen;
        for i in 0..num_literals {
            codegen[i] = self.literal_encoding.codes[i].len as u8;
        }
        for i in 0..num_offsets {
            codegen[num_literals + i] = self.offset_encoding.codes[i].len as u8;
        }
        codegen[num_literals + num_offsets] = BAD_CODE;
        let mut size = codegen[0];
        let mut count: i32 = 1;
        let mut out_index = 0;
        let mut in_index = 1;
        while size != BAD_CODE {
            let next_size = codegen[in_index];
            in_index += 1;
            if next_size == size {
                count += 1;
                continue;
            }
            if size != 0 {
                codegen[out_index] = size;
                out_index += 1;
                self.codegen_freq[size as usize] += 1;
                count -= 1;
                while count >= 3 {
                    let n = count.min(6);
                    codegen[out_index] = 16;
                    codegen[out_index + 1] = (n - 3) as u8;
                    out_index += 2;
                    self.codegen_freq[16] += 1;
                    count -= n;
                }
            } else {
                while count >= 11 {
                    let n = count.min(138);
                    codegen[out_index] = 18;
                    codegen[out_index + 1] = (n - 11) as u8;
                    out_index += 2;
                    self.codegen_freq[18] += 1;
                    count -= n;
                }
                if count >= 3 {
                    codegen[out_index] = 17;
                    codegen[out_index + 1] = (count - 3) as u8;
                    out_index += 2;
                    self.codegen_freq[17] += 1;
                    count = 0;
                }
            }
            count -= 1;
            while count >= 0 {
                codegen[out_index] = size;
                out_index += 1;
                self.codegen_freq[size as usize] += 1;
                count -= 1;
            }
            size = next_size;
            count = 1;
        }
        codegen[out_index] = BAD_CODE;
    }

    fn write_block(&mut self, tokens: &[Token], eof: bool, input: Option<&[u8]>) {
        let mut tokens = tokens.to_vec();
        tokens.push(END_BLOCK);
        let (num_literals, num_offsets) = self.index_tokens(&tokens);
        let mut extra_bits: i64 = 0;
        let stored = match input {
            Some(i) if i.len() <= MAX_STORE_BLOCK_SIZE => Some((i.len() as i64 + 5) * 8),
            _ => None,
        };
        if stored.is_some() {
            for lc in LENGTH_CODES_START + 8..num_literals {
                extra_bits += i64::from(self.literal_freq[lc]) * i64::from(LENGTH_EXTRA_BITS[lc - LENGTH_CODES_START]);
            }
            for oc in 4..num_offsets {
                extra_bits += i64::from(self.offset_freq[oc]) * i64::from(OFFSET_EXTRA_BITS[oc]);
            }
        }
        let mut size = 3 + self.fixed_lit.bit_length(&self.literal_freq) + self.fixed_off.bit_length(&self.offset_freq) + extra_bits;
        let mut dynamic = false;
        self.generate_codegen(num_literals, num_offsets);
        let cf = self.codegen_freq;
        self.codegen_encoding.generate(&cf, 7);
        let mut num_codegens = cf.len();
        while num_codegens > 4 && cf[CODEGEN_ORDER[num_codegens - 1]] == 0 {
            num_codegens -= 1;
        }
        let header = 3 + 5 + 5 + 4 + 3 * num_codegens as i64 + self.codegen_encoding.bit_length(&cf) + i64::from(cf[16]) * 2 + i64::from(cf[17]) * 3 + i64::from(cf[18]) * 7;
        let dynamic_size = header + self.literal_encoding.bit_length(&self.literal_freq) + self.offset_encoding.bit_length(&self.offset_freq) + extra_bits;
        if dynamic_size < size {
            size = dynamic_size;
            dynamic = true;
        }
        if let (Some(ss), Some(inp)) = (stored, input) {
            if ss < size {
                self.write_stored_header(inp.len(), eof);
                self.flush();
                self.out.extend_from_slice(inp);
                return;
            }
        }
        if dynamic {
            self.write_bits(if eof { 5 } else { 4 }, 3);
            self.write_bits((num_literals - 257) as u32, 5);
            self.write_bits((num_offsets - 1) as u32, 5);
            self.write_bits((num_codegens - 4) as u32, 4);
            for &o in CODEGEN_ORDER.iter().take(num_codegens) {
                let v = u32::from(self.codegen_encoding.codes[o].len);
                self.write_bits(v, 3);
            }
            let mut i = 0;
            loop {
                let cw = self.codegen[i];
                i += 1;
                if cw == BAD_CODE {
                    break;
                }
                let c = self.codegen_encoding.codes[cw as usize];
                self.write_code(c);
                let extra = match cw {
                    16 => 2,
                    17 => 3,
                    18 => 7,
                    _ => 0,
                };
                if extra > 0 {
                    let v = u32::from(self.codegen[i]);
                    self.write_bits(v, extra);
                    i += 1;
                }
            }
        } else {
            self.write_bits(if eof { 3 } else { 2 }, 3);
        }
        let (lit, off) = if dynamic { (self.literal_encoding.codes.clone(), self.offset_encoding.codes.clone()) } else { (self.fixed_lit.codes.clone(), self.fixed_off.codes.clone()) };
        for t in &tokens {
            match *t {
                Token::Literal(l) => {
                    let c = lit[l as usize];
                    self.write_code(c);
                }
                Token::Match(len, o) => {
                    let len = u32::from(len);
                    let lc = length_code(len);
                    let c = lit[lc + LENGTH_CODES_START];
                    let o = u32::from(o);
                    let oc = offset_code(o);
                    let oc_code = off[oc];
                    self.write_code(c);
                    let eb = u32::from(LENGTH_EXTRA_BITS[lc]);
                    if eb > 0 {
                        self.write_bits(len - LENGTH_BASE[lc], eb);
                    }
                    self.write_code(oc_code);
                    let eb = u32::from(OFFSET_EXTRA_BITS[oc]);
                    if eb > 0 {
                        self.write_bits(o - OFFSET_BASE[oc], eb);
                    }
                }
            }
        }
    }
}

/// `gzip.NewWriter` + `Write(data)` + `Flush()` + `Close()` as Go writes it.
pub(crate) fn go_gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut c = Compressor::new();
    c.write(data);
    c.sync_flush();
    c.close();
    out.extend_from_slice(&c.w.out);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}
