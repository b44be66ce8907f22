-- Prosody 0.12 configuration for the xmpp-rest test harness (XEP-0114 components); tests/support/prosody.ts fills in the {{...}} fields.

pidfile = "{{DIR}}/prosody.pid"
data_path = "{{DIR}}/data"
certificates = "{{DIR}}/certs"
run_as_root = true
daemonize = false

-- Loopback only, on the ports the harness picked; no s2s, no HTTP, no TLS.
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
c2s_ports = { {{C2S_PORT}} }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
component_interfaces = { "127.0.0.1" }
component_ports = { {{COMPONENT_PORT}} }
s2s_ports = { }
http_ports = { }
https_ports = { }

-- Small test stanzas and iq round trips: no Nagle delays.
network_settings = { nagle = false }

modules_enabled = { "roster", "saslauth", "disco", "ping", "version", "posix" }
modules_disabled = { "s2s", "tls" }

-- A test client logs in with SASL PLAIN over plain TCP.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"

log = {
  { levels = { min = "debug" }, to = "file", filename = "{{DIR}}/prosody.log" };
}

VirtualHost "{{HOST}}"

{{COMPONENTS}}
