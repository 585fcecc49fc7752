package io.salesos.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrg;
import io.salesos.rules.RuleVocabulary;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DemoVocabularyTest {

  @Test
  void theDemoOrgUsesTheStandardVocabularyAsItIs() {
    var standard = RuleVocabulary.standard();
    assertThat(Arrays.stream(DemoOrg.Stage.values()).filter(s -> !s.closed()).map(DemoOrg.Stage::label))
        .containsExactlyElementsOf(standard.openStages());
    assertThat(Arrays.stream(DemoOrg.Stage.values()).filter(DemoOrg.Stage::closed).map(DemoOrg.Stage::label))
        .containsExactlyElementsOf(standard.closedStages());
    assertThat(Arrays.stream(DemoOrg.ForecastCategory.values()).map(DemoOrg.ForecastCategory::label))
        .containsExactlyElementsOf(standard.forecastCategories());
  }
}
