package io.salesos.salesforce.sandbox;

/**
 * Who may log in to the sandbox org: the integration user's username and password (a security
 * token appended to the password is accepted too, as Salesforce does from untrusted networks) and
 * the OAuth client of its connected app.
 */
record SandboxCredentials(String username, String password, String securityToken, String clientId,
    String clientSecret) {

  boolean acceptsPassword(String given) {
    return given != null && (given.equals(password) || given.equals(password + securityToken));
  }

  /** Never the secrets. */
  @Override
  public String toString() {
    return "SandboxCredentials[username=" + username + ", clientId=" + clientId + "]";
  }
}
