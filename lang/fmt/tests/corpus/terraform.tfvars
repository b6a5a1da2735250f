region = "eu-west-1"
environment="prod"
instance_count    =    3
tags = {
  Team = "platform"
  CostCenter="1234"
}
azs = [ "eu-west-1a", "eu-west-1b" ]
