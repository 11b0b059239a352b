SELECT
  '2025-06' AS "period",
  "t3"."village_code",
  "t7"."household_code",
  "t7"."member_id",
  'R7-AST-01' AS "rule_id",
  1 AS "rule_version",
  'assets' AS "department",
  CAST(NULL AS TEXT) AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t7"."event_date",
  "t7"."value",
  "t7"."value2",
  "t7"."threshold",
  "t7"."share",
  "t7"."detail"
FROM (
  SELECT
    "t5"."household_code",
    CAST(NULL AS TEXT) AS "member_id",
    "t5"."event_date",
    CAST("t5"."value" AS DOUBLE) AS "value",
    CAST(NULL AS DOUBLE) AS "value2",
    CAST(NULL AS DOUBLE) AS "threshold",
    CAST(NULL AS DOUBLE) AS "share",
    "t5"."detail"
  FROM (
    SELECT
      "t4"."household_code",
      MIN("t4"."registered_date") AS "event_date",
      MIN("t4"."asset") AS "detail",
      COUNT("t4"."record_id") AS "value"
    FROM (
      SELECT
        *
      FROM "assets" AS "t1"
      WHERE
        "t1"."batch_month" <= '2025-06' AND "t1"."household_code" IS NOT NULL
    ) AS "t4"
    GROUP BY
      1
  ) AS "t5"
) AS "t7"
INNER JOIN (
  SELECT
    "t0"."household_code",
    "t0"."village_code",
    "t0"."monitoring_category",
    "t0"."risk_types",
    "t0"."risk_eliminated"
  FROM "households" AS "t0"
) AS "t3"
  ON "t7"."household_code" = "t3"."household_code"
