package io.salesos.salesforce.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /services/oauth2/token}: the client-credentials grant of a connected app (the token
 * is a session of the app's run-as user), the JWT bearer grant (an RS256 assertion signed with the
 * app's key, for the user named in it), and the old username-password grant. The answer's
 * instance URL points back at the sandbox.
 */
final class OAuthEndpoint {

  private final OrgStore store;
  private final Sessions sessions;
  private final SandboxCredentials credentials;
  private final String orgId;

  private final SigningKey signingKey;

  OAuthEndpoint(OrgStore store, Sessions sessions, SandboxCredentials credentials, String orgId, SigningKey key) {
    this.signingKey = key;
    this.store = store;
    this.sessions = sessions;
    this.credentials = credentials;
    this.orgId = orgId;
  }

  Reply token(byte[] body, String baseUrl) {
    var form = form(new String(body, StandardCharsets.UTF_8));
    var grant = form.getOrDefault("grant_type", "");
    if (grant.equals("urn:ietf:params:oauth:grant-type:jwt-bearer")) {
      var problem = jwtProblem(form.getOrDefault("assertion", ""), baseUrl);
      return problem != null ? error("invalid_grant", problem) : issue(baseUrl);
    }
    if (!grant.equals("client_credentials") && !grant.equals("password")) {
      return error("unsupported_grant_type", "grant type not supported");
    }
    if (!credentials.clientId().equals(form.get("client_id"))
        || !credentials.clientSecret().equals(form.get("client_secret"))) {
      return error("invalid_client", "invalid client credentials");
    }
    if (grant.equals("password") && (!credentials.username().equalsIgnoreCase(form.getOrDefault("username", ""))
        || !credentials.acceptsPassword(form.get("password")))) {
      return error("invalid_grant", "authentication failure");
    }
    return issue(baseUrl);
  }

  private Reply issue(String baseUrl) {
    var user = store.integrationUserId();
    var token = sessions.open(user);
    var issued = store.clock().millis();
    var json = "{\"access_token\":\"" + token + "\",\"signature\":\"c2FuZGJveA==\",\"scope\":\"api\","
        + "\"instance_url\":\"" + baseUrl + "\",\"id\":\"" + baseUrl + "/id/" + orgId + "/" + user + "\","
        + "\"token_type\":\"Bearer\",\"issued_at\":\"" + issued + "\"}";
    return Reply.of(200, "application/json;charset=UTF-8", json);
  }

  /** Why the assertion is refused, in Salesforce's words, or null when it is good. */
  private String jwtProblem(String assertion, String baseUrl) {
    var parts = assertion.split("\\.");
    if (parts.length != 3) {
      return "invalid assertion";
    }
    try {
      var verifier = java.security.Signature.getInstance("SHA256withRSA");
      verifier.initVerify(signingKey.pair().getPublic());
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(java.util.Base64.getUrlDecoder().decode(parts[2]))) {
        return "invalid assertion";
      }
      var claims = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
      if (!credentials.clientId().equals(claims.path("iss").asText())) {
        return "invalid client identifier";
      }
      if (!credentials.username().equalsIgnoreCase(claims.path("sub").asText())) {
        return "user hasn't approved this consumer";
      }
      var aud = claims.path("aud").asText();
      if (!aud.equals(baseUrl) && !aud.equals("https://login.salesforce.com") && !aud.equals("https://test.salesforce.com")) {
        return "audience is invalid";
      }
      if (claims.path("exp").asLong() < store.clock().instant().getEpochSecond()) {
        return "expired authorization code";
      }
      return null;
    } catch (Exception e) {
      return "invalid assertion";
    }
  }

  private static Reply error(String code, String description) {
    return Reply.of(400, "application/json;charset=UTF-8",
        "{\"error\":\"" + code + "\",\"error_description\":\"" + description + "\"}");
  }

  private static Map<String, String> form(String body) {
    var out = new HashMap<String, String>();
    for (var pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
