locals {
  upper_names = [for n in var.names : upper(n)]
  by_id = {for u in var.users: u.id => u}
  grouped = {for u in var.users : u.team => u.name...}
  filtered = [for x in var.items : x if x.enabled]
  nested = [for a in var.as : [for b in a.bs : b.id]]
  kv = { for k, v in var.map : k => v if v != null }
  literal_tuple = [for x in [1, 2, 3] : x * 2]
}
