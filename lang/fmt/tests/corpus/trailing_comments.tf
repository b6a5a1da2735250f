locals {
  a = 1 # one
  bbb = 22 # two
  cc = "three" # three

  d = 4 // four
  eeeee = {a = 1} # object
  f = [ # open
    1, # first
    22, # second
  ] # close
}
