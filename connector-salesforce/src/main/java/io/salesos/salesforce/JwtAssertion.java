package io.salesos.salesforce;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * The signed assertion of Salesforce's OAuth 2.0 JWT bearer flow: issuer = the connected app's
 * consumer key, subject = the integration user's username, audience = the login host, valid
 * for three minutes, signed RS256 with the key whose certificate the app holds.
 */
record JwtAssertion(String issuer, String subject, String audience, Instant issuedAt) {

  String sign(String privateKeyPem) {
    var header = b64("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
    var claims = b64(("{\"iss\":\"" + json(issuer) + "\",\"sub\":\"" + json(subject) + "\",\"aud\":\""
        + json(audience) + "\",\"exp\":" + issuedAt.plusSeconds(180).getEpochSecond() + "}")
        .getBytes(StandardCharsets.UTF_8));
    try {
      var signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(privateKey(privateKeyPem));
      signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return header + "." + claims + "." + b64(signer.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("the JWT private key cannot sign (it must be an RSA key in PKCS#8 PEM, "
          + "'-----BEGIN PRIVATE KEY-----'): " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(String pem) throws java.security.GeneralSecurityException {
    var base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
