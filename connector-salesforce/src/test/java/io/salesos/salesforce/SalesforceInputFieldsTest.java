package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mapping.Mapping;
import io.salesos.outbox.AllowList;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.schema.InputFields;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default Salesforce mapping's inputs against the demo org (all there) and a stock org (the custom ones absent). */
class SalesforceInputFieldsTest {

  @Test
  void theDemoOrgLacksNoInput() throws Exception {
    var mapping = Mapping.load(DefaultMappingTest.mappingFile());
    try (var sandbox = SalesforceSandbox.builder().start();
        var connector = SandboxConnections.connector(sandbox, Map.of())) {
      assertThat(InputFields.missing(mapping, AllowList.defaults(), connector.describe())).isEmpty();
    }
  }

  @Test
  void aStockOrgLacksTheCustomInputsAndOnlyThoseWithoutADefaultAreAbsent() throws Exception {
    var mapping = Mapping.load(DefaultMappingTest.mappingFile());
    try (var sandbox = SalesforceSandbox.builder().stockOrg().start();
        var connector = SandboxConnections.connector(sandbox, Map.of())) {
      var schema = connector.describe();
      assertThat(InputFields.missing(mapping, AllowList.defaults(), schema))
          .extracting(InputFields.Missing::qualifiedName)
          .contains("Account.Tier__c", "Opportunity.Next_Step_Date__c", "User.Sales_Role__c", "Event.Check_In_Latitude__c")
          .doesNotContain("Opportunity.Salesos_Flags__c", "Opportunity.StageName");
      var absent = InputFields.absentCanonical(mapping, AllowList.defaults(), schema);
      assertThat(absent).containsEntry("deal.next_step_date", "Opportunity.Next_Step_Date__c")
          .containsEntry("account.tier", "Account.Tier__c")
          .doesNotContainKey("owner.role");
    }
  }
}
