# production overrides
name = "${var.prefix}"
vpc_cidr="10.10.0.0/16"
enable_nat = true   # on
replicas=5    # five
