SELECT
  '2025-06' AS "period",
  "t13"."village_code",
  "t13"."household_code",
  "t13"."member_id",
  'R7-MED-03' AS "rule_id",
  1 AS "rule_version",
  'medical' AS "department",
  'ILLNESS' AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t13"."event_date",
  "t13"."value",
  "t13"."value2",
  "t13"."threshold",
  "t13"."share",
  "t13"."detail"
FROM (
  SELECT
    "t12"."household_code",
    "t12"."member_id",
    "t12"."event_date",
    "t12"."value",
    "t12"."value2",
    "t12"."threshold",
    "t12"."share",
    "t12"."detail",
    "t3"."village_code",
    "t3"."monitoring_category",
    "t3"."risk_types",
    "t3"."risk_eliminated"
  FROM (
    SELECT
      "t10"."household_code",
      "t10"."member_id",
      "t10"."event_date",
      "t10"."value",
      CAST(NULL AS DOUBLE) AS "value2",
      "t10"."thr" AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t9"."household_code",
        "t9"."member_id",
        MAX("t9"."amt") AS "value",
        MIN("t9"."settle_date") AS "event_date",
        MIN("t9"."thr") AS "thr"
      FROM (
        SELECT
          "t8"."claim_id",
          "t8"."resident_id",
          "t8"."name",
          "t8"."visit_type",
          "t8"."admission_date",
          "t8"."settle_date",
          "t8"."hospital",
          "t8"."diagnosis",
          "t8"."total_cost",
          "t8"."basic_paid",
          "t8"."critical_paid",
          "t8"."assistance_paid",
          "t8"."oop_compliant",
          "t8"."batch_month",
          "t8"."source_row",
          "t8"."id_token",
          "t8"."member_id",
          "t8"."household_code",
          "t8"."match_status",
          "t8"."low",
          CASE WHEN "t8"."low" THEN 6000.0 ELSE 10000.0 END AS "thr",
          CAST("t8"."oop_compliant" AS DOUBLE) AS "amt"
        FROM (
          SELECT
            "t6"."claim_id",
            "t6"."resident_id",
            "t6"."name",
            "t6"."visit_type",
            "t6"."admission_date",
            "t6"."settle_date",
            "t6"."hospital",
            "t6"."diagnosis",
            "t6"."total_cost",
            "t6"."basic_paid",
            "t6"."critical_paid",
            "t6"."assistance_paid",
            "t6"."oop_compliant",
            "t6"."batch_month",
            "t6"."source_row",
            "t6"."id_token",
            "t6"."member_id",
            "t6"."household_code",
            "t6"."match_status",
            "t7"."low"
          FROM (
            SELECT
              *
            FROM "medical" AS "t1"
            WHERE
              "t1"."batch_month" >= '2025-06'
              AND "t1"."batch_month" <= '2025-06'
              AND "t1"."visit_type" = 'inpatient'
              AND "t1"."household_code" IS NOT NULL
          ) AS "t6"
          INNER JOIN (
            SELECT
              "t0"."household_code",
              (
                "t0"."household_type" = 'poverty_alleviated'
              )
              OR (
                "t0"."monitoring_category" IS NOT NULL
              ) AS "low"
            FROM "households" AS "t0"
          ) AS "t7"
            ON "t6"."household_code" = "t7"."household_code"
        ) AS "t8"
        WHERE
          CAST("t8"."oop_compliant" AS DOUBLE) > CASE WHEN "t8"."low" THEN 6000.0 ELSE 10000.0 END
      ) AS "t9"
      GROUP BY
        1,
        2
    ) AS "t10"
  ) AS "t12"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t3"
    ON "t12"."household_code" = "t3"."household_code"
) AS "t13"
WHERE
  NOT (
    (
      "t13"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t13"."risk_eliminated", FALSE)
    )
    AND COALESCE(ARRAY_CONTAINS("t13"."risk_types", 'ILLNESS'), FALSE)
  )
