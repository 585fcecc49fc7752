package io.salesos.salesforce;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.spi.ConnectorContext;
import java.util.Map;

/** Builds connectors pointed at a sandbox, the way core will from a configuration file. */
final class SandboxConnections {

  private SandboxConnections() {}

  static SalesforceConnector connector(SalesforceSandbox sandbox, Map<String, String> overrides) {
    var ctx = ConnectorContext.fromFlat("sf-test", sandbox.clock(), sandbox.connectionSettings(),
        Map.of("overlap_seconds", "5"), overrides);
    return (SalesforceConnector) new SalesforceConnectorProvider().create(ctx);
  }
}
