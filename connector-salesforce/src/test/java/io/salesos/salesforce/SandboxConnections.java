package io.salesos.salesforce;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.spi.ConnectorContext;
import java.util.HashMap;
import java.util.Map;

/** Builds connectors pointed at a sandbox, the way core will from a configuration file. */
final class SandboxConnections {

  private SandboxConnections() {}

  static SalesforceConnector connector(SalesforceSandbox sandbox, Map<String, String> overrides) {
    var settings = new HashMap<String, String>();
    var secrets = new HashMap<String, String>();
    sandbox.connectionSettings().forEach((k, v) -> {
      if (k.startsWith("secret.")) {
        secrets.put(k.substring("secret.".length()), v);
      } else {
        settings.put(k, v);
      }
    });
    settings.put("overlap_seconds", "5");
    overrides.forEach((k, v) -> {
      if (k.startsWith("secret.")) {
        secrets.put(k.substring("secret.".length()), v);
      } else {
        settings.put(k, v);
      }
    });
    var ctx = new ConnectorContext("sf-test", settings, secrets, sandbox.clock());
    return (SalesforceConnector) new SalesforceConnectorProvider().create(ctx);
  }
}
