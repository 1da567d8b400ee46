/**
 * TEST-ONLY TLS material for the fake Kubernetes API: a certificate authority and a server
 * certificate it signed, for `127.0.0.1`, `::1`, `localhost` and `kubernetes.default.svc`,
 * valid from 2020 to 2120. **Never use them for anything real**: the server's private key is
 * published here, in the package, for anyone to read — a client that trusts
 * {@link FAKE_KUBERNETES_CA} trusts whoever else has this file. Its only purpose is to let a
 * test client verify the fake API's certificate the way it verifies a real cluster's, without
 * turning verification off. (The CA's own key was thrown away once it had signed.)
 *
 * Made with OpenSSL 3 (EC P-256, SHA-256): `openssl ca -selfsign` for the CA
 * (`basicConstraints=critical,CA:TRUE`, `keyUsage=critical,keyCertSign,cRLSign`), then `openssl
 * ca` for the server (`extendedKeyUsage=serverAuth`, the names above as `subjectAltName`), both
 * with `-startdate 20200101000000Z -enddate 21200101000000Z`.
 *
 * @module
 */

/** TEST ONLY: the CA (PEM) that signed {@link FAKE_KUBERNETES_SERVER_CERT}. Trust it in tests, never elsewhere. */
export const FAKE_KUBERNETES_CA: string = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBrDCCAVKgAwIBAgICEAAwCgYIKoZIzj0EAwIwPDE6MDgGA1UEAwwxaGVhZGxl',
  'c3MtZGlzY292ZXJ5IGZha2UgS3ViZXJuZXRlcyBDQSAodGVzdCBvbmx5KTAgFw0y',
  'MDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowPDE6MDgGA1UEAwwxaGVhZGxl',
  'c3MtZGlzY292ZXJ5IGZha2UgS3ViZXJuZXRlcyBDQSAodGVzdCBvbmx5KTBZMBMG',
  'ByqGSM49AgEGCCqGSM49AwEHA0IABPWUw4XuZ/O51JTmGtjWO0JYpV9tQZSjDF2J',
  'NvQmreMRW6xbEmfnHn51gHMGTtvJxP4O7fxb9hPQykTCj6n1Lz+jQjBAMA8GA1Ud',
  'EwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBSZX0Ag1txt1Uz0',
  'kEAZmyRZQFS69zAKBggqhkjOPQQDAgNIADBFAiEAkA7TqkmRsdgsfvPUeTFal+Mm',
  'p1u0IBxwi0yDGgEb+TMCICMYBko8F2D97XFOH2WqXTQzCO9O++qjX4zNfoO0Vw9H',
  '-----END CERTIFICATE-----',
].join('\n');

/** TEST ONLY: the fake API server's certificate (PEM), for 127.0.0.1, ::1, localhost and kubernetes.default.svc. */
export const FAKE_KUBERNETES_SERVER_CERT: string = [
  '-----BEGIN CERTIFICATE-----',
  'MIICczCCAhqgAwIBAgICEAEwCgYIKoZIzj0EAwIwPDE6MDgGA1UEAwwxaGVhZGxl',
  'c3MtZGlzY292ZXJ5IGZha2UgS3ViZXJuZXRlcyBDQSAodGVzdCBvbmx5KTAgFw0y',
  'MDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowPjE8MDoGA1UEAwwza3ViZS1h',
  'cGlzZXJ2ZXIgKGhlYWRsZXNzLWRpc2NvdmVyeSBmYWtlLCB0ZXN0IG9ubHkpMFkw',
  'EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4TTLhPPmDy6E/bGQIwMWH7e2Bsaqo4SH',
  'Si+RLvMaE7YvNflw3xUPTiuNshkuiKeUdPEoIv5e5MRCyRJQd9uqN6OCAQYwggEC',
  'MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUF',
  'BwMBMB0GA1UdDgQWBBQRflZ+aLQYDP0MH5o+d6/0E8oVYzAfBgNVHSMEGDAWgBSZ',
  'X0Ag1txt1Uz0kEAZmyRZQFS69zCBjAYDVR0RBIGEMIGBhwR/AAABhxAAAAAAAAAA',
  'AAAAAAAAAAABgglsb2NhbGhvc3SCCmt1YmVybmV0ZXOCEmt1YmVybmV0ZXMuZGVm',
  'YXVsdIIWa3ViZXJuZXRlcy5kZWZhdWx0LnN2Y4Ika3ViZXJuZXRlcy5kZWZhdWx0',
  'LnN2Yy5jbHVzdGVyLmxvY2FsMAoGCCqGSM49BAMCA0cAMEQCIHbdYBKxdq7q9liI',
  '6vu4eUn8gLr/68MGjz/o5plxhw3JAiBbSKvYmU2K8+wCY0AQa3uPEJ1uKb99Nvhn',
  '4wb81I8oKQ==',
  '-----END CERTIFICATE-----',
].join('\n');

/** TEST ONLY: the private key (PKCS #8 PEM) of {@link FAKE_KUBERNETES_SERVER_CERT} — public, hence worthless for anything real. */
export const FAKE_KUBERNETES_SERVER_KEY: string = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbndG0XeF8HUn5GPM',
  'dhYq4FNZEsqa5eGEDrFU8S6GiVehRANCAAThNMuE8+YPLoT9sZAjAxYft7YGxqqj',
  'hIdKL5Eu8xoTti81+XDfFQ9OK42yGS6Ip5R08Sgi/l7kxELJElB326o3',
  '-----END PRIVATE KEY-----',
].join('\n');
