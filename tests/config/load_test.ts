import assert from "node:assert/strict";
import { helpText, loadConfig } from "../../src/config/load.ts";
import { OPTIONS } from "../../src/config/options.ts";

const base = ["--domain", "gw.localhost", "--secret", "s3cret"];

function ok(args: string[], env: Record<string, string> = {}, file?: unknown) {
  const result = loadConfig({
    args,
    env,
    readTextFile: () => JSON.stringify(file ?? {}),
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

function errors(
  args: string[],
  env: Record<string, string> = {},
  fileText = "{}",
) {
  const result = loadConfig({ args, env, readTextFile: () => fileText });
  assert.equal(result.ok, false, "expected errors");
  return result.ok ? [] : result.errors;
}

Deno.test({
  name: "loadConfig() applies the documented defaults (README: Configuration)",
  permissions: "none",
  fn() {
    const config = ok(base);
    assert.deepEqual(config, {
      server: { hostname: "127.0.0.1", port: 5347 },
      domain: "gw.localhost",
      secret: "s3cret",
      listen: { hostname: "127.0.0.1", port: 5380 },
      credentials: [],
      callbackContentType: "application/xmpp+xml",
      callbackStanzas: ["message", "presence", "iq"],
      callbackEvents: ["bare", "full", "host"],
      iqTimeout: 120,
      iqMaxTimeout: 300,
      sizeLimit: 196608,
      headerTimeout: 10,
      bodyTimeout: 30,
      idleTimeout: 75,
      httpEngine: "http1",
      memoryTrim: 10,
      pingInterval: 15,
      pingTimeout: 10,
      callbackTimeout: 30,
      dataDir: "./xmpp-rest-data",
      callbackMode: "sync",
      callbackRetry: [
        0,
        5_000,
        300_000,
        1_800_000,
        7_200_000,
        18_000_000,
        36_000_000,
        36_000_000,
      ],
      eventRetention: 259_200_000,
      callbackConcurrency: 32,
      callbackSecrets: [],
      logLevel: "info",
      logFormat: "text",
      eventsApi: "auto",
      inboundIqTimeout: 30,
      inboundDedupeWindow: 600_000,
      etiquette: ["ping", "disco", "version", "time"],
      basicAuth: true,
      streamMode: "lease",
      leaseExpiry: 5,
    });
  },
});

const eventOptionCases: [
  string,
  string[],
  Record<string, unknown>,
  Record<string, unknown>,
][] = [
  [
    "flags",
    [
      "--events-api",
      "on",
      "--inbound-iq-timeout",
      "2.5",
      "--etiquette",
      "ping",
      "--etiquette",
      "time",
      "--inbound-dedupe-window",
      "90s",
    ],
    {},
    {
      eventsApi: "on",
      inboundIqTimeout: 2.5,
      inboundDedupeWindow: 90_000,
      etiquette: ["ping", "time"],
    },
  ],
  ["env", [], {
    XMPP_REST_EVENTS_API: "off",
    XMPP_REST_INBOUND_IQ_TIMEOUT: "5",
    XMPP_REST_ETIQUETTE: "none",
    XMPP_REST_INBOUND_DEDUPE_WINDOW: "0",
  }, {
    eventsApi: "off",
    inboundIqTimeout: 5,
    etiquette: [],
    inboundDedupeWindow: 0,
  }],
];
for (const [where, args, env, want] of eventOptionCases) {
  Deno.test({
    name:
      `loadConfig() reads the pull/SSE and inbound iq options from ${where}`,
    permissions: "none",
    fn() {
      const config = ok([...base, ...args], env as Record<string, string>);
      for (const [field, value] of Object.entries(want)) {
        assert.deepEqual(
          (config as unknown as Record<string, unknown>)[field],
          value,
        );
      }
    },
  });
}

Deno.test({
  name:
    "loadConfig() reads the pull/SSE and inbound iq options from the config file, and refuses bad values",
  permissions: "none",
  fn() {
    const file = {
      rest_events_api: "on",
      rest_inbound_iq_timeout: 7,
      rest_etiquette: ["disco"],
      rest_inbound_dedupe_window: "2h",
    };
    const config = ok([...base, "--config", "c.json"], {}, file);
    assert.equal(config.inboundDedupeWindow, 7_200_000);
    assert.equal(config.eventsApi, "on");
    assert.equal(config.inboundIqTimeout, 7);
    assert.deepEqual(config.etiquette, ["disco"]);
    const bad = errors([
      ...base,
      "--events-api",
      "maybe",
      "--inbound-iq-timeout",
      "0",
      "--etiquette",
      "pong",
      "--inbound-dedupe-window",
      "-1m",
    ]);
    assert.equal(bad.length, 4, bad.join("\n"));
  },
});

Deno.test({
  name: "loadConfig() gives flags precedence over env, and env over the file",
  permissions: "none",
  fn() {
    const file = {
      component_domain: "file.example",
      component_secret: "f",
      rest_iq_timeout: 10,
      rest_callback_url: "http://file.example/hook",
      http_listen: "127.0.0.1:9001",
    };
    const env = { XMPP_REST_IQ_TIMEOUT: "20", XMPP_REST_LISTEN: "[::1]:9002" };
    const config = ok(["--config", "x.json", "--iq-timeout", "30"], env, file);
    assert.equal(config.domain, "file.example");
    assert.equal(config.iqTimeout, 30);
    assert.deepEqual(config.listen, { hostname: "::1", port: 9002 });
    assert.equal(config.callbackUrl, "http://file.example/hook");
  },
});

Deno.test({
  name:
    "loadConfig() reads lists from repeated flags, comma-separated env and JSON arrays",
  permissions: "none",
  fn() {
    assert.deepEqual(
      ok([...base, "--credentials", "Bearer a", "--credentials", "Bearer b"])
        .credentials,
      ["Bearer a", "Bearer b"],
    );
    assert.deepEqual(
      ok(base, { XMPP_REST_CREDENTIALS: "Bearer a, Bearer b" }).credentials,
      ["Bearer a", "Bearer b"],
    );
    assert.deepEqual(
      ok(["--config", "f"], {}, {
        component_domain: "d.example",
        component_secret: "s",
        rest_credentials: "Bearer one",
        rest_callback_stanzas: ["message"],
        rest_callback_events: "bare,host",
        rest_callback_content_type: "json",
      }),
      {
        ...ok(base),
        domain: "d.example",
        secret: "s",
        credentials: ["Bearer one"],
        callbackStanzas: ["message"],
        callbackEvents: ["bare", "host"],
        callbackContentType: "application/json",
      },
    );
  },
});

Deno.test({
  name: "loadConfig() reports every problem at once, one line each",
  permissions: "none",
  fn() {
    const found = errors(
      [
        "--bogus",
        "--listen",
        "nowhere",
        "--callback-url",
        "ftp://x",
        "--iq-timeout",
        "-1",
        "--memory-trim",
        "-1",
        "extra",
      ],
      { XMPP_REST_TYPO: "1", XMPP_REST_SIZE_LIMIT: "1.5" },
    );
    const expected = [
      /^unknown option --bogus/,
      /^unexpected argument "extra"/,
      /^unknown environment variable XMPP_REST_TYPO$/,
      /^--listen: expected HOST:PORT, got "nowhere"$/,
      /^--callback-url: expected an http\(s\) URL, got "ftp:\/\/x"$/,
      /^--iq-timeout: expected a positive number/,
      /^--memory-trim: expected zero or a positive number, got "-1"$/,
      /^XMPP_REST_SIZE_LIMIT: expected a whole number/,
      /^missing domain: set --domain, XMPP_REST_DOMAIN or "component_domain"/,
      /^missing secret: set --secret, XMPP_REST_SECRET or "component_secret"/,
    ];
    assert.equal(found.length, expected.length, found.join("\n"));
    for (const pattern of expected) {
      assert.ok(
        found.some((line) => pattern.test(line)),
        `${pattern} in\n${found.join("\n")}`,
      );
    }
  },
});

Deno.test({
  name:
    "loadConfig() rejects config files that are unreadable, not JSON, or carry unknown keys",
  permissions: "none",
  fn() {
    assert.deepEqual(errors([...base, "--config", "c.json"], {}, "{nope"), [
      errors([...base, "--config", "c.json"], {}, "{nope")[0],
    ]);
    assert.match(
      errors([...base, "--config", "c.json"], {}, "{nope")[0],
      /^config file c.json is not valid JSON/,
    );
    assert.deepEqual(errors([...base, "--config", "c.json"], {}, "[1]"), [
      "config file c.json must hold a JSON object",
    ]);
    assert.deepEqual(
      errors([...base, "--config", "c.json"], {}, '{"rest_callbak_url":"x"}'),
      [
        'unknown key "rest_callbak_url" in c.json',
      ],
    );
    const unreadable = loadConfig({
      args: [...base, "--config", "missing.json"],
      env: {},
      readTextFile: () => {
        throw new Error("No such file or directory");
      },
    });
    assert.ok(!unreadable.ok);
    assert.deepEqual(!unreadable.ok && unreadable.errors, [
      "cannot read config file missing.json: No such file or directory",
    ]);
  },
});

Deno.test({
  name:
    "loadConfig() rejects an iq timeout above the maximum and bad enum values",
  permissions: "none",
  fn() {
    assert.deepEqual(errors([...base, "--iq-timeout", "400"]), [
      "iq timeout 400 s is larger than the iq max timeout 300 s",
    ]);
    assert.deepEqual(errors([...base, "--callback-events", "bare,nope"]), [
      '--callback-events: expected one of bare, full, host, got "nope"',
    ]);
    assert.deepEqual(errors([...base, "--domain"]), [
      "--domain needs a value (JID)",
    ]);
  },
});

Deno.test({
  name: "loadConfig() lets --dev run without domain and secret",
  permissions: "none",
  fn() {
    const result = loadConfig({ args: ["--dev"], env: {} });
    assert.ok(result.ok);
    assert.equal(result.flags.dev, true);
    assert.equal(loadConfig({ args: [], env: {} }).ok, false);
  },
});

Deno.test({
  name:
    "helpText() lists every option with its env name, config key and default",
  permissions: "none",
  fn() {
    const help = helpText("1.2.3");
    assert.match(help, /^xmpp-rest 1\.2\.3/);
    for (const spec of OPTIONS) {
      assert.ok(help.includes(`--${spec.flag} `), spec.flag);
      assert.ok(help.includes(spec.env), spec.env);
      assert.ok(help.includes(`"${spec.key}"`), spec.key);
      assert.ok(
        help.includes(`default: ${spec.defaultText}`),
        spec.defaultText,
      );
    }
  },
});

Deno.test({
  name:
    "loadConfig() reads the reliable-delivery options from flags, env and file",
  permissions: "none",
  fn() {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const fromFlags = ok([
      ...base,
      "--callback-mode",
      "reliable",
      "--callback-retry",
      "0s,1s,2s,4s",
      "--event-retention",
      "1h",
      "--callback-concurrency",
      "4",
      "--callback-secret",
      secret,
      "--callback-secret",
      secret,
      "--data-dir",
      ":memory:",
    ]);
    assert.equal(fromFlags.callbackMode, "reliable");
    assert.deepEqual(fromFlags.callbackRetry, [0, 1000, 2000, 4000]);
    assert.equal(fromFlags.eventRetention, 3_600_000);
    assert.equal(fromFlags.callbackConcurrency, 4);
    assert.deepEqual(fromFlags.callbackSecrets, [secret, secret]);
    assert.equal(fromFlags.dataDir, ":memory:");
  },
});

Deno.test({
  name: "loadConfig() names a bad retry schedule, retention, mode or secret",
  permissions: "none",
  fn() {
    const cases: [string[], RegExp][] = [
      [["--callback-retry", "0s,soon"], /callback-retry.*"soon"/],
      [["--event-retention", "3"], /event-retention/],
      [["--callback-mode", "later"], /callback-mode.*sync, reliable/],
      [["--callback-secret", "hunter2"], /callback-secret.*whsec_/],
    ];
    for (const [args, pattern] of cases) {
      assert.match(errors([...base, ...args]).join("\n"), pattern);
    }
  },
});

Deno.test({
  name:
    "loadConfig() reads the metrics credential and rest_basic_auth in all three spellings",
  permissions: "none",
  fn() {
    assert.equal(
      ok([...base, "--metrics-credential", "Bearer m"]).metricsCredential,
      "Bearer m",
    );
    assert.equal(
      ok(base, { XMPP_REST_METRICS_CREDENTIAL: "Bearer e" }).metricsCredential,
      "Bearer e",
    );
    assert.equal(ok(base).metricsCredential, undefined);
    assert.equal(ok([...base, "--basic-auth", "false"]).basicAuth, false);
    assert.equal(ok(base, { XMPP_REST_BASIC_AUTH: "no" }).basicAuth, false);
    assert.equal(
      ok([...base, "--config", "f.json"], {}, { rest_basic_auth: false })
        .basicAuth,
      false,
    );
    assert.deepEqual(errors([...base, "--basic-auth", "maybe"]), [
      '--basic-auth: expected true or false, got "maybe"',
    ]);
    assert.deepEqual(errors([...base, "--metrics-credential", "token"]), [
      '--metrics-credential: expected an Authorization value like "Bearer TOKEN"',
    ]);
  },
});

Deno.test({
  name:
    "loadConfig() reads scoped credentials from the config file and reports bad ones",
  permissions: "none",
  fn() {
    const config = ok([...base, "--config", "f.json"], {}, {
      rest_credentials: [
        "Bearer plain",
        { credential: "Bearer s", from: ["bot"], kinds: ["message"] },
      ],
    });
    assert.deepEqual(config.credentials, [
      "Bearer plain",
      {
        credential: "Bearer s",
        scope: { from: ["bot"], kinds: ["message"] },
      },
    ]);
    const file = JSON.stringify({
      rest_credentials: [
        { credential: "Bearer s", from: ["bot@elsewhere.example"] },
        { credential: "Bearer t", routes: ["admin"] },
      ],
    });
    assert.deepEqual(errors([...base, "--config", "f.json"], {}, file), [
      'rest_credentials in f.json: item 1: "routes": "admin" is not one of send, iq, events, operations',
    ]);
    const fileFrom = JSON.stringify({
      rest_credentials: [{
        credential: "Bearer s",
        from: ["bot@elsewhere.example"],
      }],
    });
    assert.deepEqual(errors([...base, "--config", "f.json"], {}, fileFrom), [
      'rest_credentials item 0: "from": "bot@elsewhere.example" is not at the component domain gw.localhost',
    ]);
  },
});

Deno.test({
  name:
    "loadConfig() takes --tls-cert and --tls-key from flag, env or file, only together",
  permissions: "none",
  fn() {
    const both = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
    assert.deepEqual(
      [ok([...base, ...both]).tlsCert, ok([...base, ...both]).tlsKey],
      ["c.pem", "k.pem"],
    );
    const env = { XMPP_REST_TLS_CERT: "e.pem", XMPP_REST_TLS_KEY: "ek.pem" };
    assert.equal(ok(base, env).tlsKey, "ek.pem");
    const file = { http_tls_cert: "f.pem", http_tls_key: "fk.pem" };
    assert.equal(
      ok([...base, "--config", "c.json"], {}, file).tlsCert,
      "f.pem",
    );
    assert.equal(ok(base).tlsCert, undefined);
    const alone =
      "--tls-cert and --tls-key go together: set both for HTTPS, or neither";
    assert.deepEqual(errors([...base, "--tls-cert", "c.pem"]), [alone]);
    assert.deepEqual(errors([...base, "--tls-key", "k.pem"]), [alone]);
    assert.deepEqual(errors([...base, "--tls-cert", " "]), [
      "--tls-cert: expected a file path",
    ]);
  },
});

Deno.test({
  name:
    "loadConfig() reads --memory-trim from the flag, the environment and the file; 0 is off",
  permissions: "none",
  fn() {
    const cases: {
      args: string[];
      env: Record<string, string>;
      file: string;
      want: number;
    }[] = [
      { args: [], env: {}, file: "{}", want: 10 },
      { args: ["--memory-trim", "0"], env: {}, file: "{}", want: 0 },
      {
        args: [],
        env: { XMPP_REST_MEMORY_TRIM: "2.5" },
        file: "{}",
        want: 2.5,
      },
      {
        args: ["--config", "c.json"],
        env: {},
        file: '{"memory_trim_interval": 30}',
        want: 30,
      },
      {
        args: ["--memory-trim", "5", "--config", "c.json"],
        env: { XMPP_REST_MEMORY_TRIM: "7" },
        file: '{"memory_trim_interval": 30}',
        want: 5,
      },
    ];
    for (const { args, env, file, want } of cases) {
      const result = loadConfig({
        args: [...base, ...args],
        env,
        readTextFile: () => file,
      });
      assert.ok(result.ok, JSON.stringify(args));
      assert.equal(result.config.memoryTrim, want, JSON.stringify(args));
    }
  },
});
