package io.salesos.salesforce;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * The signed assertion of Salesforce's OAuth 2.0 JWT bearer flow: issuer = the connected app's
 * consumer key, subject = the integration user's username, audience = the login host, valid
 * for three minutes, signed RS256 with the key whose certificate the app holds.
 */
record JwtAssertion(String issuer, String subject, String audience, Instant issuedAt) {

  String sign(String privateKeyPem) {
    // Nimbus writes the JSON and the JWS encoding: claim values are escaped by a JSON writer, not by us,
    // and a single audience goes out as a string, the form Salesforce expects
    var claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(audience)
        .expirationTime(Date.from(issuedAt.plusSeconds(180))).build();
    var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    try {
      jwt.sign(new RSASSASigner(privateKey(privateKeyPem)));
      return jwt.serialize();
    } catch (java.security.GeneralSecurityException | JOSEException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the JWT private key cannot sign (it must be an RSA key of 2048 bits or more "
          + "in PKCS#8 PEM, '-----BEGIN PRIVATE KEY-----'): " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(String pem) throws java.security.GeneralSecurityException {
    var base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
