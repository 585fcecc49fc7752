package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.SandboxProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SeedingTest {

  @Test
  void theSandboxIsFoundThroughServiceLoaderByItsCrmType() {
    var provider = ServiceLoader.load(SandboxProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("salesforce")).findFirst();
    assertThat(provider).get().isInstanceOf(SalesforceSandboxProvider.class);
  }

  @Test
  @Tag("slow")
  void twoHundredThousandOpportunitiesSeed() {
    try (var sandbox = SalesforceSandbox.builder().start()) {
      long start = System.nanoTime();
      sandbox.seedOpportunities(200_000, 3_000);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(sandbox.count("Opportunity")).isEqualTo(200_000);
      // the time is printed for the reader, not asserted: speed is measured by `salesos bench sync`
      System.out.println("seeded 200000 opportunities in " + millis + " ms");
    }
  }
}
