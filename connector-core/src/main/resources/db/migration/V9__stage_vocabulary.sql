-- each connection's deal stages as its CRM reports them (Salesforce OpportunityStage, HubSpot deal
-- pipelines), versioned: a new version only when what the CRM reports changes; checked_at moves on
-- every read of the CRM's metadata. Rules are checked against, and deals read through, the newest version.
CREATE TABLE stage_vocabulary_version (
  source      VARCHAR(64)  NOT NULL,
  version     INT          NOT NULL,
  fingerprint CHAR(64)     NOT NULL,
  read_at     DATETIME(3)  NOT NULL,
  checked_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (source, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stage_vocabulary (
  source            VARCHAR(64)   NOT NULL,
  version           INT           NOT NULL,
  pipeline_id       VARCHAR(255)  NOT NULL,
  pipeline_label    VARCHAR(255)  NOT NULL,
  pipeline_order    INT           NOT NULL,
  stage_id          VARCHAR(255)  NOT NULL,
  stage_label       VARCHAR(255)  NOT NULL,
  stage_order       INT           NOT NULL,
  probability       DECIMAL(5,2)  NULL,
  forecast_category VARCHAR(64)   NULL,
  is_closed         BOOLEAN       NOT NULL,
  is_won            BOOLEAN       NOT NULL,
  is_active         BOOLEAN       NOT NULL,
  PRIMARY KEY (source, version, pipeline_id, stage_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
