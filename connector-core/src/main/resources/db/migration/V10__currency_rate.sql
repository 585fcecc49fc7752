-- each connection's currencies and exchange rates as its CRM keeps them (Salesforce CurrencyType and
-- DatedConversionRate, HubSpot's company currency and exchange rates), replaced whole at each refresh;
-- deal.amount is converted to the corporate currency with them. No rows: a single-currency org.
CREATE TABLE currency_rate (
  id               BIGINT        NOT NULL AUTO_INCREMENT,
  source           VARCHAR(64)   NOT NULL,
  corporate        CHAR(3)       NOT NULL,
  dated_by         VARCHAR(16)   NOT NULL,
  iso_code         CHAR(3)       NOT NULL,
  rate             DECIMAL(38,18) NOT NULL,
  quote            VARCHAR(24)   NOT NULL,
  start_date       DATE          NULL,
  next_start_date  DATE          NULL,
  active           BOOLEAN       NOT NULL,
  decimal_places   INT           NOT NULL,
  refreshed_at     DATETIME(3)   NOT NULL,
  PRIMARY KEY (id),
  KEY ix_currency_rate_source (source, iso_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
