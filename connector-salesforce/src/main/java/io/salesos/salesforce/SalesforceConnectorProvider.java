package io.salesos.salesforce;

import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorProvider;

/** Makes Salesforce connectors ({@code type: salesforce}) available to core. */
public final class SalesforceConnectorProvider implements ConnectorProvider {

  @Override
  public String type() {
    return "salesforce";
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new SalesforceConnector(SalesforceSettings.from(context), context.clock());
  }
}
