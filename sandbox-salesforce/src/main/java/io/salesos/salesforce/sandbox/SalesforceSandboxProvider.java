package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.SandboxProvider;

/** Starts the Salesforce sandbox org for core's {@code sandbox salesforce} verb and the demo. */
public final class SalesforceSandboxProvider implements SandboxProvider {

  @Override
  public String type() {
    return "salesforce";
  }

  @Override
  public Sandbox start(int port, DemoOrg seed) {
    var builder = SalesforceSandbox.builder().port(port).seed(seed);
    if (Boolean.getBoolean(BARE_PROPERTY)) {
      builder.withoutSalesosFields();
    }
    if (Boolean.getBoolean(STOCK_PROPERTY)) {
      builder.stockOrg();
    }
    return builder.start();
  }
}
