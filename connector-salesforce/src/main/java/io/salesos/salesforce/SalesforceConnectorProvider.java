package io.salesos.salesforce;

import io.salesos.salesforce.sandbox.SalesforceSandboxProvider;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorProvider;
import io.salesos.spi.SandboxProvider;
import java.util.Optional;

/** Makes Salesforce connectors ({@code type: salesforce}) and the Salesforce sandbox available to core. */
public final class SalesforceConnectorProvider implements ConnectorProvider {

  @Override
  public String type() {
    return "salesforce";
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new SalesforceConnector(SalesforceSettings.from(context), context.clock());
  }

  @Override
  public Optional<SandboxProvider> sandbox() {
    return Optional.of(new SalesforceSandboxProvider());
  }
}
