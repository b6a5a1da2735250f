//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`.

use crate::registry::{arg_err, call_err, func, func_var, p, ret, Func};
use crate::util::{num, s, string_list, vstr};
use crate::FunctionError;
use plinth_sdk::Type;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A network: address bits (32 or 128), the address, the prefix length.
#[derive(Clone, Copy, Debug)]
struct Net {
    bits: u32,
    addr: u128,
    prefix: u32,
}

impl Net {
    fn mask(bits: u32, prefix: u32) -> u128 {
        let all = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
        if prefix == 0 {
            0
        } else {
            all & !((1u128 << (bits - prefix)) - 1).min(all)
        }
    }
    fn host_bits(&self) -> u32 {
        self.bits - self.prefix
    }
    fn network(&self) -> u128 {
        self.addr & Net::mask(self.bits, self.prefix)
    }
    fn last(&self) -> u128 {
        self.network() | !Net::mask(self.bits, self.prefix) & self.all()
    }
    fn all(&self) -> u128 {
        if self.bits == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        }
    }
    fn contains(&self, a: u128) -> bool {
        a & Net::mask(self.bits, self.prefix) == self.network()
    }
}

fn addr_string(bits: u32, a: u128) -> String {
    if bits == 32 {
        Ipv4Addr::from(a as u32).to_string()
    } else {
        Ipv6Addr::from(a).to_string()
    }
}

fn net_string(n: &Net) -> String {
    format!("{}/{}", addr_string(n.bits, n.network()), n.prefix)
}

fn parse_cidr(text: &str, arg: usize) -> Result<Net, FunctionError> {
    let _ = arg;
    let bad = || call_err(format!("invalid CIDR expression: invalid CIDR address: {text}"));
    let (ip, prefix) = text.split_once('/').ok_or_else(bad)?;
    let (bits, addr) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
        (32, u32::from(v4) as u128)
    } else if let Some(v4) = parse_v4_lenient(ip) {
        (32, v4 as u128)
    } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
        (128, u128::from(v6))
    } else {
        return Err(bad());
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return Err(bad());
    }
    let prefix: u32 = prefix.parse().map_err(|_| bad())?;
    if prefix > bits {
        return Err(bad());
    }
    Ok(Net { bits, addr, prefix })
}

/// Terraform accepts IPv4 octets with leading zeros (read as decimal).
fn parse_v4_lenient(ip: &str) -> Option<u32> {
    let parts: Vec<&str> = ip.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let o: u32 = p.parse().ok()?;
        if o > 255 {
            return None;
        }
        v = v << 8 | o;
    }
    Some(v)
}

fn int_arg(a: &[plinth_sdk::Value], i: usize) -> Result<i128, FunctionError> {
    let n = num(a, i);
    if !n.is_integer() {
        return Err(arg_err(i, "a whole number is required"));
    }
    n.as_decimal()
        .and_then(|d| d.with_scale(0).to_string().parse::<i128>().ok())
        .ok_or_else(|| arg_err(i, "a whole number is required"))
}

fn host(net: &Net, n: i128) -> Result<u128, String> {
    let hb = net.host_bits();
    let size: i128 = if hb >= 127 { i128::MAX } else { 1i128 << hb };
    let idx = if n < 0 { size + n } else { n };
    if idx < 0 || idx >= size {
        return Err(format!("prefix of {} does not accommodate a host numbered {}", net.prefix, n));
    }
    Ok(net.network() | idx as u128)
}

fn subnet(net: &Net, newbits: i128, netnum: i128) -> Result<Net, String> {
    let newprefix = net.prefix as i128 + newbits;
    if newprefix < 0 || newprefix > net.bits as i128 {
        return Err(format!("insufficient address space to extend prefix of {} by {}", net.prefix, newbits));
    }
    let newprefix = newprefix as u32;
    let maxnum: i128 = if newbits >= 127 { i128::MAX } else if newbits < 0 { 1 } else { 1i128 << newbits };
    if netnum < 0 || netnum >= maxnum {
        return Err(format!("prefix extension of {} does not accommodate a subnet numbered {}", newbits, netnum));
    }
    let shift = net.bits - newprefix;
    let base = net.network() & Net::mask(net.bits, newprefix);
    let addr = base | if shift >= 128 { 0 } else { (netnum as u128) << shift };
    Ok(Net { bits: net.bits, addr, prefix: newprefix })
}

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    r.push(func("cidrhost", vec![p("prefix", st()), p("hostnum", Type::Number)], ret(st()), |a, _| {
        let net = parse_cidr(s(a, 0), 0)?;
        let n = int_arg(a, 1)?;
        let h = host(&net, n).map_err(call_err)?;
        Ok(vstr(addr_string(net.bits, h)))
    }));
    r.push(func("cidrnetmask", vec![p("prefix", st())], ret(st()), |a, _| {
        let net = parse_cidr(s(a, 0), 0)?;
        if net.bits != 32 {
            return Err(call_err(format!("IPv6 addresses cannot have a netmask: {}", s(a, 0))));
        }
        Ok(vstr(addr_string(32, Net::mask(32, net.prefix))))
    }));
    r.push(func("cidrsubnet", vec![p("prefix", st()), p("newbits", Type::Number), p("netnum", Type::Number)], ret(st()), |a, _| {
        let net = parse_cidr(s(a, 0), 0)?;
        let nb = int_arg(a, 1)?;
        let nn = int_arg(a, 2)?;
        let sn = subnet(&net, nb, nn).map_err(call_err)?;
        Ok(vstr(net_string(&sn)))
    }));
    r.push(func_var("cidrsubnets", vec![p("prefix", st())], p("newbits", Type::Number), ret(Type::list(st())), |a, _| {
        let net = parse_cidr(s(a, 0), 0)?;
        let base = Net { addr: net.network(), ..net };
        // The subnet just before the network, at the network's own size.
        let size = if base.host_bits() >= 128 { 0 } else { 1u128 << base.host_bits() };
        let mut current = Net { addr: base.network().wrapping_sub(size) & base.all(), ..base };
        let mut out = Vec::new();
        for i in 1..a.len() {
            let length = int_arg(a, i)?;
            if length < 1 {
                return Err(arg_err(i, "must extend prefix by at least one bit"));
            }
            let newprefix = base.prefix as i128 + length;
            if newprefix > base.bits as i128 {
                return Err(arg_err(i, format!("would extend prefix to {} bits, which is too long for an IPv{} address", newprefix, if base.bits == 32 { 4 } else { 6 })));
            }
            let np = newprefix as u32;
            let cur_last = current.last();
            let cur_sub = Net { addr: cur_last & Net::mask(base.bits, np), prefix: np, ..base };
            let last = cur_sub.last();
            let (inc, rollover) = if last == base.all() { (0, true) } else { (last + 1, false) };
            let next = Net { addr: inc & Net::mask(base.bits, np), prefix: np, ..base };
            if rollover || !base.contains(next.network()) || !base.contains(next.last()) {
                return Err(arg_err(i, format!(
                    "not enough remaining address space for a subnet with a prefix of {} bits after {}",
                    np,
                    net_string(&current)
                )));
            }
            current = next;
            out.push(net_string(&next));
        }
        Ok(string_list(out))
    }));
}
