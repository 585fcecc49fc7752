package io.salesos.salesforce.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /services/oauth2/token} with the client-credentials grant of a connected app: the
 * token it returns is an ordinary session of the app's run-as user, with the instance URL
 * pointing back at the sandbox.
 */
final class OAuthEndpoint {

  private final OrgStore store;
  private final Sessions sessions;
  private final SandboxCredentials credentials;
  private final String orgId;

  OAuthEndpoint(OrgStore store, Sessions sessions, SandboxCredentials credentials, String orgId) {
    this.store = store;
    this.sessions = sessions;
    this.credentials = credentials;
    this.orgId = orgId;
  }

  Reply token(byte[] body, String baseUrl) {
    var form = form(new String(body, StandardCharsets.UTF_8));
    var grant = form.getOrDefault("grant_type", "");
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
    var user = store.integrationUserId();
    var token = sessions.open(user);
    var issued = store.clock().millis();
    var json = "{\"access_token\":\"" + token + "\",\"signature\":\"c2FuZGJveA==\",\"scope\":\"api\","
        + "\"instance_url\":\"" + baseUrl + "\",\"id\":\"" + baseUrl + "/id/" + orgId + "/" + user + "\","
        + "\"token_type\":\"Bearer\",\"issued_at\":\"" + issued + "\"}";
    return Reply.of(200, "application/json;charset=UTF-8", json);
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
