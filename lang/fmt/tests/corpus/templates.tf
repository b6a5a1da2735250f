locals {
  greeting = "Hello, ${ var.name }!"
  list = "%{ for ip in var.ips }server ${ip}\n%{ endfor }"
  cond = "%{if var.enabled}on%{else}off%{endif}"
  strip = "%{~ if var.x ~}yes%{~ endif ~}"
  math = "total: ${var.a+var.b*2}"
  escaped = "literal $${not_interp} and %%{not_directive}"
  nested = "outer ${ "inner ${var.x}" }"
  objinterp = "${ {a = 1}.a }"
}
