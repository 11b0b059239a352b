WITH "t9" AS (
  SELECT
    "t3"."household_code",
    "t3"."basis",
    "t3"."reference_month",
    "t3"."wage",
    "t3"."business",
    "t3"."property",
    "t3"."transfer",
    "t3"."business_cost",
    "t3"."insurance_payout",
    "t3"."compliant_oop_medical",
    "t3"."household_net",
    "t3"."per_capita_net",
    "t3"."reference_month" || CASE
      WHEN "t3"."basis" = 'elimination'
      THEN '2'
      WHEN "t3"."basis" = 'identification'
      THEN '1'
      ELSE '0'
    END AS "key"
  FROM "income_blocks" AS "t3"
  WHERE
    "t3"."reference_month" >= '2024-08'
    AND "t3"."reference_month" <= '2025-07'
    AND (
      (
        "t3"."household_net" IS NOT NULL
      ) OR (
        "t3"."per_capita_net" IS NOT NULL
      )
    )
), "t10" AS (
  SELECT
    "t6"."household_code",
    COUNT("t6"."member_id") AS "members"
  FROM (
    SELECT
      *
    FROM "members" AS "t2"
    WHERE
      "t2"."member_status" = 'active'
  ) AS "t6"
  GROUP BY
    1
), "t19" AS (
  SELECT
    "t14"."household_code",
    SUM("t14"."net") AS "net_sum",
    COUNT(DISTINCT "t14"."period") AS "months",
    CAST(SUM(COALESCE("t14"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
  FROM (
    SELECT
      "t1"."household_code",
      "t1"."period",
      "t1"."wage",
      "t1"."business",
      "t1"."property",
      "t1"."transfer",
      "t1"."business_cost",
      "t1"."insurance_payout",
      "t1"."compliant_oop_medical",
      CAST((
        COALESCE("t1"."wage", 0) + COALESCE("t1"."business", 0) + COALESCE("t1"."property", 0) + COALESCE("t1"."transfer", 0)
      ) - COALESCE("t1"."business_cost", 0) AS DOUBLE) AS "net"
    FROM "incomes" AS "t1"
    WHERE
      "t1"."period" >= '2024-07' AND "t1"."period" <= '2025-06'
  ) AS "t14"
  GROUP BY
    1
)
SELECT
  '2025-06' AS "period",
  "t36"."village_code",
  "t36"."household_code",
  "t36"."member_id",
  'R2-INC-01' AS "rule_id",
  2 AS "rule_version",
  'registry' AS "department",
  CAST(NULL AS TEXT) AS "risk_type",
  'UNSTABLE' AS "category",
  "t36"."event_date",
  "t36"."value",
  "t36"."value2",
  "t36"."threshold",
  "t36"."share",
  "t36"."detail"
FROM (
  SELECT
    "t35"."household_code",
    "t35"."member_id",
    "t35"."event_date",
    "t35"."value",
    "t35"."value2",
    "t35"."threshold",
    "t35"."share",
    "t35"."detail",
    "t5"."village_code",
    "t5"."monitoring_category",
    "t5"."risk_types",
    "t5"."risk_eliminated"
  FROM (
    SELECT
      "t33"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      "t33"."pcni" AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      8700.0 AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      'annual:' || "t33"."block_month" AS "detail"
    FROM (
      SELECT
        "t32"."household_code",
        "t32"."months",
        "t32"."members",
        "t32"."oop",
        "t32"."net",
        "t32"."pcni",
        "t32"."block_month"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t27"."household_code",
            "t27"."months",
            "t27"."members",
            "t27"."oop",
            (
              "t27"."net_sum" * 12
            ) / "t27"."months" AS "net",
            (
              (
                "t27"."net_sum" * 12
              ) / "t27"."months"
            ) / "t27"."members" AS "pcni",
            CAST(NULL AS TEXT) AS "block_month"
          FROM (
            SELECT
              "t22"."household_code",
              "t22"."net_sum",
              "t22"."months",
              "t22"."oop",
              "t15"."members"
            FROM "t19" AS "t22"
            INNER JOIN "t10" AS "t15"
              ON "t22"."household_code" = "t15"."household_code"
          ) AS "t27"
          WHERE
            "t27"."months" >= 6 AND "t27"."members" > 0
        ) AS "t29"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t28"."household_code",
            COALESCE("t28"."recorded", 0) AS "months",
            "t28"."members",
            CAST(COALESCE("t28"."compliant_oop_medical", 0) AS DOUBLE) AS "oop",
            COALESCE(CAST("t28"."household_net" AS DOUBLE), "t28"."per_capita_net" * "t28"."members") AS "net",
            COALESCE(
              "t28"."per_capita_net",
              COALESCE(CAST("t28"."household_net" AS DOUBLE), "t28"."per_capita_net" * "t28"."members") / "t28"."members"
            ) AS "pcni",
            "t28"."reference_month" AS "block_month"
          FROM (
            SELECT
              "t26"."household_code",
              "t26"."reference_month",
              "t26"."household_net",
              "t26"."per_capita_net",
              "t26"."compliant_oop_medical",
              "t26"."members",
              "t24"."household_code" AS "household_code_right",
              "t24"."recorded"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t13"."household_code",
                  "t13"."reference_month",
                  "t13"."household_net",
                  "t13"."per_capita_net",
                  "t13"."compliant_oop_medical",
                  "t16"."members"
                FROM "t9" AS "t13"
                INNER JOIN (
                  SELECT
                    "t11"."household_code",
                    MAX("t11"."key") AS "top"
                  FROM "t9" AS "t11"
                  GROUP BY
                    1
                ) AS "t18"
                  ON "t13"."household_code" = "t18"."household_code" AND "t13"."key" = "t18"."top"
                INNER JOIN "t10" AS "t16"
                  ON "t13"."household_code" = "t16"."household_code"
              ) AS "t21"
              WHERE
                "t21"."members" > 0
            ) AS "t26"
            LEFT OUTER JOIN (
              SELECT
                "t20"."household_code",
                "t20"."months" AS "recorded"
              FROM "t19" AS "t20"
            ) AS "t24"
              ON "t26"."household_code" = "t24"."household_code"
          ) AS "t28"
          WHERE
            (
              "t28"."recorded" IS NULL
            ) OR (
              "t28"."recorded" < 6
            )
        ) AS "t30"
      ) AS "t32"
      INNER JOIN (
        SELECT
          "t0"."household_code"
        FROM "households" AS "t0"
        WHERE
          "t0"."household_type" = 'poverty_alleviated'
          AND (
            (
              "t0"."monitoring_category" IS NULL
            )
            OR COALESCE("t0"."risk_eliminated", FALSE)
          )
      ) AS "t8"
        ON "t32"."household_code" = "t8"."household_code"
    ) AS "t33"
    WHERE
      "t33"."pcni" < 8700.0
  ) AS "t35"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t5"
    ON "t35"."household_code" = "t5"."household_code"
) AS "t36"
WHERE
  NOT (
    (
      "t36"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t36"."risk_eliminated", FALSE)
    )
  )
