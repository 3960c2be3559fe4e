#!/bin/sh
# Runs RabbitMQ as PID 1 with AMQP on 5672 from any address, the first user from RABBITMQ_DEFAULT_USER and
# RABBITMQ_DEFAULT_PASS (as the rabbitmq image does), and its log on standard output, where Testcontainers waits for
# "Server startup complete". Messages and queues live in the container, so they outlive a restart of it.
set -eu
: "${RABBITMQ_DEFAULT_USER:=guest}"
: "${RABBITMQ_DEFAULT_PASS:=guest}"

umask 077
cat >/etc/rabbitmq/rabbitmq.conf <<CONF
listeners.tcp.default = 5672
loopback_users = none
default_user = $RABBITMQ_DEFAULT_USER
default_pass = $RABBITMQ_DEFAULT_PASS
log.console = true
log.console.level = info
log.file = false
CONF
chown rabbitmq:rabbitmq /etc/rabbitmq/rabbitmq.conf
# Not /usr/sbin/rabbitmq-server: Debian's wrapper there sends the log to /var/log/rabbitmq/startup_log.
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server
