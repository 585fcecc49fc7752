package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.SandboxProvider;

/** Starts the Salesforce sandbox org for core's {@code sandbox salesforce} verb and the demo. */
public final class SalesforceSandboxProvider implements SandboxProvider {

  /**
   * The org of {@code --seed stock}: a stock org (standard stages, no custom input fields) that sells
   * in two currencies, USD corporate and EUR at 0.8 euros to the dollar (1 EUR = 1.25 USD); a seeded
   * demo org's European team then sells in euros.
   */
  public static SalesforceSandbox.Builder stock(SalesforceSandbox.Builder builder) {
    return builder.stockOrg().multiCurrency("USD", java.util.Map.of("EUR", new java.math.BigDecimal("0.8")));
  }

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
      stock(builder);
    }
    return builder.start();
  }
}
