package io.salesos.salesforce.sandbox;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The RSA key whose certificate the sandbox's connected app holds for the JWT bearer flow. Made
 * on first use (a 2048-bit key takes a moment), and handed to clients as PKCS#8 PEM, as an admin
 * would hand over the key that goes with an uploaded certificate.
 */
final class SigningKey {

  private KeyPair pair;

  synchronized KeyPair pair() {
    if (pair == null) {
      try {
        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        pair = gen.generateKeyPair();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM cannot make RSA keys", e);
      }
    }
    return pair;
  }

  String privateKeyPem() {
    var body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair().getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }
}
