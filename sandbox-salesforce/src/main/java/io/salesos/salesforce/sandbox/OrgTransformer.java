package io.salesos.salesforce.sandbox;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/**
 * The WireMock extension that turns the sandbox's one catch-all stub into a stateful org: it
 * routes each request (WireMock has already inflated a gzip body) to the SOAP, Bulk or OAuth
 * endpoint and applies the response delay a test asked for.
 */
final class OrgTransformer implements ResponseDefinitionTransformerV2 {

  static final String NAME = "salesforce-org";

  private final SoapEndpoint soap;
  private final BulkEndpoint bulk;
  private final OAuthEndpoint oauth;
  private final MetadataEndpoint metadata;
  private final SandboxFaults faults;
  private volatile Bulk2Endpoint bulk2;
  private volatile String baseUrl = "";

  OrgTransformer(SoapEndpoint soap, BulkEndpoint bulk, OAuthEndpoint oauth, MetadataEndpoint metadata,
      SandboxFaults faults) {
    this.soap = soap;
    this.metadata = metadata;
    this.bulk = bulk;
    this.oauth = oauth;
    this.faults = faults;
  }

  /** Serves Bulk API 2.0 query jobs under /services/data/vXX.X/jobs/query. */
  void bulk2(Bulk2Endpoint endpoint) {
    this.bulk2 = endpoint;
  }

  void baseUrl(String url) {
    this.baseUrl = url;
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    var request = event.getRequest();
    var path = request.getUrl();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    var method = request.getMethod().getName();
    Reply reply;
    boolean api = true;
    if (path.startsWith("/services/Soap/u/") && method.equals("POST")) {
      reply = soap.handle(request.getBody(), baseUrl, versionOf(path, "/services/Soap/u/"));
    } else if (path.startsWith("/services/Soap/m/") && method.equals("POST")) {
      reply = metadata.handle(request.getBody());
    } else if (path.equals("/services/oauth2/token") && method.equals("POST")) {
      api = false;
      reply = oauth.token(request.getBody(), baseUrl);
    } else if (path.startsWith("/services/async/")) {
      var rest = path.substring("/services/async/".length());
      int slash = rest.indexOf('/');
      reply = slash < 0 ? BulkEndpoint.error(404, "InvalidUrl", "no resource")
          : bulk.handle(method, rest.substring(slash + 1), request.getHeader("X-SFDC-Session"), request.getBody(),
              rest.substring(0, slash));
    } else if (bulk2 != null && path.matches("/services/data/v\\d+\\.\\d+/jobs/query(/.*)?")) {
      var version = path.substring("/services/data/".length(), path.indexOf("/jobs/query"));
      reply = bulk2.handle(method, version, path.substring(path.indexOf("/jobs/query") + "/jobs/query".length()),
          q < 0 ? null : request.getUrl().substring(q + 1), request.getHeader("Authorization"), request.getBody());
    } else {
      api = false;
      reply = Reply.of(404, "application/json", "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource does not exist\"}]");
    }
    var builder = new ResponseDefinitionBuilder().withStatus(reply.status())
        .withHeader("Content-Type", reply.contentType()).withBody(reply.body());
    reply.headers().forEach(builder::withHeader);
    long delay = faults.slowMillis();
    if (api && delay > 0) {
      builder.withFixedDelay((int) delay);
    }
    return builder.build();
  }

  private String versionOf(String path, String prefix) {
    var rest = path.substring(prefix.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
