//! Hash and crypto functions: `md5`, `sha1`, `sha256`, `sha512`, their `base64*` and `file*`
//! variants, `bcrypt`, `rsadecrypt`, `uuid`, `uuidv5`.

use crate::encoding::b64;
use crate::filesystem::read_open;
use crate::registry::{arg_err, call_err, func, func_var, p, ret, Func};
use crate::util::{num, s, vstr};
use crate::FunctionError;
use base64::Engine;
use plinth_sdk::{Type, Value};
use sha2::Digest;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn md5(b: &[u8]) -> Vec<u8> {
    md5::Md5::digest(b).to_vec()
}
fn sha1(b: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(b).to_vec()
}
fn sha256(b: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(b).to_vec()
}
fn sha512(b: &[u8]) -> Vec<u8> {
    sha2::Sha512::digest(b).to_vec()
}

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    macro_rules! hashfn {
        ($name:literal, $file:literal, $h:ident, $enc:ident) => {
            r.push(func($name, vec![p("str", st())], ret(st()), |a, _| Ok(vstr($enc(&$h(s(a, 0).as_bytes()))))));
            r.push(func($file, vec![p("path", st())], ret(st()), |a, ctx| Ok(vstr($enc(&$h(&read_open(ctx, s(a, 0))?))))));
        };
    }
    hashfn!("md5", "filemd5", md5, hex);
    hashfn!("sha1", "filesha1", sha1, hex);
    hashfn!("sha256", "filesha256", sha256, hex);
    hashfn!("sha512", "filesha512", sha512, hex);
    hashfn!("base64sha256", "filebase64sha256", sha256, b64);
    hashfn!("base64sha512", "filebase64sha512", sha512, b64);
    r.push(func_var("bcrypt", vec![p("str", st())], p("cost", Type::Number), ret(st()), |a, _| {
        if a.len() > 2 {
            return Err(call_err(format!("bcrypt() takes no more than two arguments, but got {}", a.len())));
        }
        let cost = if a.len() == 2 {
            num(a, 1).to_i64().filter(|c| (4..=31).contains(c)).ok_or_else(|| {
                call_err(format!("crypto/bcrypt: cost {} is outside allowed range (4,31)", num(a, 1)))
            })? as u32
        } else {
            10
        };
        let h = bcrypt::hash_with_result(s(a, 0), cost)
            .map_err(|e| call_err(format!("error occurred generating password {e}")))?;
        Ok(vstr(h.format_for_version(bcrypt::Version::TwoA)))
    }));
    r.push(func("uuid", vec![], ret(st()), |_, _| Ok(vstr(uuid::Uuid::new_v4().to_string()))));
    r.push(func("uuidv5", vec![p("namespace", st()), p("name", st())], ret(st()), |a, _| {
        let ns = match s(a, 0) {
            "dns" => uuid::Uuid::NAMESPACE_DNS,
            "url" => uuid::Uuid::NAMESPACE_URL,
            "oid" => uuid::Uuid::NAMESPACE_OID,
            "x500" => uuid::Uuid::NAMESPACE_X500,
            other => uuid::Uuid::parse_str(other).map_err(|_| {
                let why = if other.len() != 36 { format!("invalid UUID length: {}", other.len()) } else { "invalid UUID format".to_string() };
                call_err(format!("uuidv5() doesn't support namespace {other} ({why})"))
            })?,
        };
        Ok(vstr(uuid::Uuid::new_v5(&ns, s(a, 1).as_bytes()).to_string()))
    }));
    r.push(func("rsadecrypt", vec![p("ciphertext", st()), p("privatekey", st())], ret(st()), rsadecrypt));
}

fn rsadecrypt(a: &[Value], _: &crate::FunctionContext) -> Result<Value, FunctionError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let ct = base64::engine::general_purpose::STANDARD
        .decode(s(a, 0))
        .map_err(|_| arg_err(0, format!("failed to decode input {}: cipher text must be base64-encoded", crate::format::go_quote(s(a, 0)))))?;
    let pem = s(a, 1);
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem))
        .map_err(|_| arg_err(1, if pem.contains("-----BEGIN") { "invalid private key: failed to parse key" } else { "invalid private key: ssh: no key found" }))?;
    let out = key
        .decrypt(rsa::Pkcs1v15Encrypt, &ct)
        .map_err(|_| call_err("failed to decrypt: crypto/rsa: decryption error"))?;
    String::from_utf8(out).map(vstr).map_err(|_| call_err("the message is not valid UTF-8"))
}
