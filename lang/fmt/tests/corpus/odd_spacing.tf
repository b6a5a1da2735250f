locals{
  a=1
  b   =   2
  c = [ 1 , 2 , 3 ]
  d = { x=1 , y=2 }
  e = func( 1 , 2 )
  f = var.list [ 0 ]
  g = var.obj . attr
  h = ( 1 + 2 ) * 3
  i = var.list[*].id
  j = var.list.*.id
  k = f(var.args ...)
  l = {}
  m = []
  n = a.b[0].c
  o = 1e10
  p = -1.5e-3
  q = provider::terraform::encode_tfvars({a = 1})
}
