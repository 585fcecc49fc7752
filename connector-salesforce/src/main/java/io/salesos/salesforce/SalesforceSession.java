package io.salesos.salesforce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sforce.async.BulkConnection;
import com.sforce.soap.partner.PartnerConnection;
import com.sforce.ws.ConnectorConfig;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated session with the org: obtains it (OAuth client credentials against
 * /services/oauth2/token, or SOAP login for older orgs), hands force-wsc the token and endpoints,
 * re-authenticates once when Salesforce says INVALID_SESSION_ID, and keeps the last
 * LimitInfoHeader as the API budget.
 */
final class SalesforceSession {

  private static final Logger log = LoggerFactory.getLogger(SalesforceSession.class);

  /** A call against the org that may throw force-wsc's checked exceptions. */
  interface Call<T> {
    T run(PartnerConnection partner, BulkConnection bulk) throws Exception;
  }

  private final SalesforceSettings settings;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
  private PartnerConnection partner;
  private BulkConnection bulk;
  private com.sforce.soap.metadata.MetadataConnection metadata;
  private String sessionId;
  private String metadataUrl;
  private volatile String instanceUrl;
  private volatile ApiBudget budget = ApiBudget.UNKNOWN;

  SalesforceSession(SalesforceSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  ApiBudget budget() {
    return budget;
  }

  /** Runs {@code call}, logging in first if needed and once more if the session turns out to be dead. */
  <T> T call(String what, Call<T> call) throws ConnectorException {
    if (partner == null) {
      authenticate();
    }
    try {
      return recordLimits(call.run(partner, bulk));
    } catch (Exception first) {
      if (!SalesforceFaults.invalidSession(first)) {
        throw SalesforceFaults.classify(what, first, where());
      }
      log.info("event=session_expired connection={} call={} action=reauthenticate", settings.name(), what);
      authenticate();
      try {
        return recordLimits(call.run(partner, bulk));
      } catch (Exception second) {
        if (SalesforceFaults.invalidSession(second)) {
          throw new ConnectorException(Kind.AUTHENTICATION, what + " failed: INVALID_SESSION_ID again right after "
              + "re-authenticating; check that the integration user may use the API", second);
        }
        throw SalesforceFaults.classify(what, second, where());
      }
    }
  }

  private <T> T recordLimits(T result) {
    var header = partner.getLimitInfoHeader();
    if (header != null && header.getLimitInfo() != null) {
      for (var info : header.getLimitInfo()) {
        if ("API REQUESTS".equals(info.getType())) {
          budget = new ApiBudget(OptionalLong.of(info.getCurrent()), OptionalLong.of(info.getLimit()),
              OptionalLong.empty(), OptionalLong.empty(), Duration.ofDays(1), clock.instant());
        }
      }
    }
    return result;
  }

  void authenticate() throws ConnectorException {
    try {
      String sessionId;
      String instance;
      if (settings.auth() == SalesforceSettings.Auth.SOAP_LOGIN) {
        var config = new ConnectorConfig();
        config.setUsername(settings.username().orElseThrow());
        config.setPassword(settings.password().orElseThrow());
        config.setAuthEndpoint(settings.loginUrl() + settings.soapPath());
        timeouts(config);
        var p = com.sforce.soap.partner.Connector.newConnection(config);
        sessionId = config.getSessionId();
        var serviceEndpoint = config.getServiceEndpoint();
        instance = serviceEndpoint.substring(0, serviceEndpoint.indexOf("/services/"));
        partner = p;
      } else {
        var token = oauthToken();
        sessionId = token[0];
        // the token's instance_url is where this org lives now; the configured one is a fallback
        instance = token[1] != null ? token[1] : settings.instanceUrl().orElse(settings.loginUrl());
        var config = new ConnectorConfig();
        config.setSessionId(sessionId);
        config.setServiceEndpoint(instance + settings.soapPath());
        config.setAuthEndpoint(instance + settings.soapPath());
        timeouts(config);
        partner = com.sforce.soap.partner.Connector.newConnection(config);
      }
      this.sessionId = sessionId;
      this.instanceUrl = instance;
      // the LoginResult's metadataServerUrl is the partner endpoint with /Soap/m/ for /Soap/u/
      this.metadataUrl = instance + "/services/Soap/m/" + settings.apiVersion();
      this.metadata = null;
      var bulkConfig = new ConnectorConfig();
      bulkConfig.setSessionId(sessionId);
      bulkConfig.setRestEndpoint(instance + "/services/async/" + settings.apiVersion());
      bulkConfig.setCompression(true);
      timeouts(bulkConfig);
      bulk = new BulkConnection(bulkConfig);
      log.info("event=authenticated connection={} auth={} instance={}", settings.name(), settings.auth(), instance);
    } catch (ConnectorException e) {
      throw e;
    } catch (Exception e) {
      throw SalesforceFaults.classify("login to " + settings.loginUrl(), e);
    }
  }

  /** A Metadata API call that may throw force-wsc's checked exceptions. */
  interface MetadataCall<T> {
    T run(com.sforce.soap.metadata.MetadataConnection metadata) throws Exception;
  }

  /**
   * Runs {@code call} on the Metadata API with this session (force-wsc's MetadataConnection at the
   * org's metadata endpoint), logging in first if needed and once more if the session has died.
   */
  <T> T metadata(String what, MetadataCall<T> call) throws ConnectorException {
    if (partner == null) {
      authenticate();
    }
    try {
      return call.run(metadataConnection());
    } catch (Exception first) {
      if (!SalesforceFaults.invalidSession(first)) {
        throw SalesforceFaults.classify(what, first, where());
      }
      log.info("event=session_expired connection={} call={} action=reauthenticate", settings.name(), what);
      authenticate();
      try {
        return call.run(metadataConnection());
      } catch (Exception second) {
        throw SalesforceFaults.classify(what, second, where());
      }
    }
  }

  private com.sforce.soap.metadata.MetadataConnection metadataConnection() throws com.sforce.ws.ConnectionException {
    if (metadata == null) {
      var config = new ConnectorConfig();
      config.setSessionId(sessionId);
      config.setServiceEndpoint(metadataUrl);
      timeouts(config);
      metadata = new com.sforce.soap.metadata.MetadataConnection(config);
    }
    return metadata;
  }

  private void timeouts(ConnectorConfig config) {
    config.setConnectionTimeout((int) Duration.ofSeconds(30).toMillis());
    config.setReadTimeout((int) settings.readTimeout().toMillis());
  }

  /** {access token, instance URL} from the client-credentials or JWT bearer grant. */
  /** The org's address as scheme://host:port (the login URL until a session names the instance), for errors. */
  private String where() {
    try {
      var uri = java.net.URI.create(instanceUrl != null ? instanceUrl : settings.loginUrl());
      int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      return uri.getScheme() + "://" + uri.getHost() + ":" + port;
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private String[] oauthToken() throws ConnectorException {
    String form;
    if (settings.auth() == SalesforceSettings.Auth.JWT_BEARER) {
      var assertion = new JwtAssertion(settings.clientId().orElseThrow(), settings.username().orElseThrow(),
          settings.loginUrl(), clock.instant()).sign(settings.privateKey().orElseThrow());
      form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + enc(assertion);
    } else {
      form = "grant_type=client_credentials&client_id=" + enc(settings.clientId().orElseThrow())
          + "&client_secret=" + enc(settings.clientSecret().orElseThrow());
    }
    var request = HttpRequest.newBuilder(URI.create(settings.loginUrl() + "/services/oauth2/token"))
        .timeout(settings.readTimeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new ConnectorException(Kind.TRANSIENT, "OAuth token request to " + settings.loginUrl() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException(Kind.TRANSIENT, "interrupted while requesting an OAuth token", e);
    }
    try {
      var json = new ObjectMapper().readTree(response.body());
      if (response.statusCode() >= 500) {
        throw new ConnectorException(Kind.TRANSIENT, "OAuth token endpoint answered HTTP " + response.statusCode());
      }
      if (response.statusCode() != 200 || !json.hasNonNull("access_token")) {
        throw new ConnectorException(Kind.AUTHENTICATION, "OAuth " + settings.auth() + " login to " + settings.loginUrl()
            + " was refused: " + json.path("error").asText() + " (" + json.path("error_description").asText()
            + "); check the connected app's client_id, its secret or certificate, and its run-as or pre-authorised user");
      }
      return new String[] {json.get("access_token").asText(),
          json.hasNonNull("instance_url") ? json.get("instance_url").asText() : null};
    } catch (java.io.IOException e) {
      throw new ConnectorException(Kind.TRANSIENT, "OAuth token endpoint sent an unreadable answer", e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * The live session as the Pub/Sub API wants it: {access token, instance URL}, logging in first if
   * needed. Call holding the connector's turn.
   */
  String[] pubsubSession() throws ConnectorException {
    if (partner == null) {
      authenticate();
    }
    return new String[] {sessionId, instanceUrl};
  }

  void logout() {
    if (partner != null) {
      try {
        partner.logout();
      } catch (Exception e) {
        log.debug("event=logout_failed connection={} error={}", settings.name(), e.toString());
      }
    }
  }
}
