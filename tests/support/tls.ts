// Test and bench support: a self-signed leaf certificate for the HTTPS tests (README "HTTPS and HTTP/2").

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, made with openssl. */
export async function selfSigned(
  dir: string,
): Promise<{ cert: string; key: string; certPath: string; keyPath: string }> {
  const certPath = `${dir}/cert.pem`;
  const keyPath = `${dir}/key.pem`;
  const { success, stderr } = await new Deno.Command("openssl", {
    args: [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt"],
      ...["ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
      ...["-keyout", keyPath, "-out", certPath, "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      // A leaf, not a CA: rustls refuses a CA certificate as the server's.
      ...["-addext", "basicConstraints=critical,CA:FALSE"],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(
      `openssl could not make a certificate: ${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
  return {
    cert: await Deno.readTextFile(certPath),
    key: await Deno.readTextFile(keyPath),
    certPath,
    keyPath,
  };
}
