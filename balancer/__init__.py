"""The balancer: keeps files such as nginx's upstream block in step with etcd."""
