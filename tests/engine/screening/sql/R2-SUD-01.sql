WITH "t9" AS (
  SELECT
    "t4"."household_code",
    "t4"."basis",
    "t4"."reference_month",
    "t4"."wage",
    "t4"."business",
    "t4"."property",
    "t4"."transfer",
    "t4"."business_cost",
    "t4"."insurance_payout",
    "t4"."compliant_oop_medical",
    "t4"."household_net",
    "t4"."per_capita_net",
    "t4"."reference_month" || CASE
      WHEN "t4"."basis" = 'elimination'
      THEN '2'
      WHEN "t4"."basis" = 'identification'
      THEN '1'
      ELSE '0'
    END AS "key"
  FROM "income_blocks" AS "t4"
  WHERE
    "t4"."reference_month" >= '2024-08'
    AND "t4"."reference_month" <= '2025-07'
    AND (
      (
        "t4"."household_net" IS NOT NULL
      ) OR (
        "t4"."per_capita_net" IS NOT NULL
      )
    )
), "t10" AS (
  SELECT
    "t8"."household_code",
    COUNT("t8"."member_id") AS "members"
  FROM (
    SELECT
      *
    FROM "members" AS "t3"
    WHERE
      "t3"."member_status" = 'active'
  ) AS "t8"
  GROUP BY
    1
), "t21" AS (
  SELECT
    "t16"."household_code",
    SUM("t16"."net") AS "net_sum",
    COUNT(DISTINCT "t16"."period") AS "months",
    CAST(SUM(COALESCE("t16"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
  FROM (
    SELECT
      "t2"."household_code",
      "t2"."period",
      "t2"."wage",
      "t2"."business",
      "t2"."property",
      "t2"."transfer",
      "t2"."business_cost",
      "t2"."insurance_payout",
      "t2"."compliant_oop_medical",
      CAST((
        COALESCE("t2"."wage", 0) + COALESCE("t2"."business", 0) + COALESCE("t2"."property", 0) + COALESCE("t2"."transfer", 0)
      ) - COALESCE("t2"."business_cost", 0) AS DOUBLE) AS "net"
    FROM "incomes" AS "t2"
    WHERE
      "t2"."period" >= '2024-07' AND "t2"."period" <= '2025-06'
  ) AS "t16"
  GROUP BY
    1
)
SELECT
  '2025-06' AS "period",
  "t38"."village_code",
  "t38"."household_code",
  "t38"."member_id",
  'R2-SUD-01' AS "rule_id",
  2 AS "rule_version",
  'registry' AS "department",
  'ILLNESS' AS "risk_type",
  'SUDDEN' AS "category",
  "t38"."event_date",
  "t38"."value",
  "t38"."value2",
  "t38"."threshold",
  "t38"."share",
  "t38"."detail"
FROM (
  SELECT
    "t37"."household_code",
    "t37"."member_id",
    "t37"."event_date",
    "t37"."value",
    "t37"."value2",
    "t37"."threshold",
    "t37"."share",
    "t37"."detail",
    "t6"."village_code",
    "t6"."monitoring_category",
    "t6"."risk_types",
    "t6"."risk_eliminated"
  FROM (
    SELECT
      "t35"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      (
        "t35"."net" - GREATEST("t35"."oop", COALESCE("t35"."feed_oop", 0.0))
      ) / "t35"."members" AS "value",
      "t35"."pcni" AS "value2",
      8700.0 AS "threshold",
      GREATEST("t35"."oop", COALESCE("t35"."feed_oop", 0.0)) AS "share",
      'annual:' || "t35"."block_month" AS "detail"
    FROM (
      SELECT
        "t34"."household_code",
        "t34"."months",
        "t34"."members",
        "t34"."oop",
        "t34"."net",
        "t34"."pcni",
        "t34"."block_month",
        "t15"."household_code" AS "household_code_right",
        "t15"."feed_oop"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t29"."household_code",
            "t29"."months",
            "t29"."members",
            "t29"."oop",
            (
              "t29"."net_sum" * 12
            ) / "t29"."months" AS "net",
            (
              (
                "t29"."net_sum" * 12
              ) / "t29"."months"
            ) / "t29"."members" AS "pcni",
            CAST(NULL AS TEXT) AS "block_month"
          FROM (
            SELECT
              "t24"."household_code",
              "t24"."net_sum",
              "t24"."months",
              "t24"."oop",
              "t17"."members"
            FROM "t21" AS "t24"
            INNER JOIN "t10" AS "t17"
              ON "t24"."household_code" = "t17"."household_code"
          ) AS "t29"
          WHERE
            "t29"."months" >= 6 AND "t29"."members" > 0
        ) AS "t31"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t30"."household_code",
            COALESCE("t30"."recorded", 0) AS "months",
            "t30"."members",
            CAST(COALESCE("t30"."compliant_oop_medical", 0) AS DOUBLE) AS "oop",
            COALESCE(CAST("t30"."household_net" AS DOUBLE), "t30"."per_capita_net" * "t30"."members") AS "net",
            COALESCE(
              "t30"."per_capita_net",
              COALESCE(CAST("t30"."household_net" AS DOUBLE), "t30"."per_capita_net" * "t30"."members") / "t30"."members"
            ) AS "pcni",
            "t30"."reference_month" AS "block_month"
          FROM (
            SELECT
              "t28"."household_code",
              "t28"."reference_month",
              "t28"."household_net",
              "t28"."per_capita_net",
              "t28"."compliant_oop_medical",
              "t28"."members",
              "t26"."household_code" AS "household_code_right",
              "t26"."recorded"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t14"."household_code",
                  "t14"."reference_month",
                  "t14"."household_net",
                  "t14"."per_capita_net",
                  "t14"."compliant_oop_medical",
                  "t18"."members"
                FROM "t9" AS "t14"
                INNER JOIN (
                  SELECT
                    "t11"."household_code",
                    MAX("t11"."key") AS "top"
                  FROM "t9" AS "t11"
                  GROUP BY
                    1
                ) AS "t20"
                  ON "t14"."household_code" = "t20"."household_code" AND "t14"."key" = "t20"."top"
                INNER JOIN "t10" AS "t18"
                  ON "t14"."household_code" = "t18"."household_code"
              ) AS "t23"
              WHERE
                "t23"."members" > 0
            ) AS "t28"
            LEFT OUTER JOIN (
              SELECT
                "t22"."household_code",
                "t22"."months" AS "recorded"
              FROM "t21" AS "t22"
            ) AS "t26"
              ON "t28"."household_code" = "t26"."household_code"
          ) AS "t30"
          WHERE
            (
              "t30"."recorded" IS NULL
            ) OR (
              "t30"."recorded" < 6
            )
        ) AS "t32"
      ) AS "t34"
      LEFT OUTER JOIN (
        SELECT
          "t7"."household_code",
          CAST(SUM("t7"."oop_compliant") AS DOUBLE) AS "feed_oop"
        FROM (
          SELECT
            *
          FROM "medical" AS "t1"
          WHERE
            "t1"."batch_month" <= '2025-06'
            AND "t1"."settle_date" >= MAKE_DATE(2024, 7, 1)
            AND "t1"."settle_date" < MAKE_DATE(2025, 7, 1)
            AND "t1"."household_code" IS NOT NULL
        ) AS "t7"
        GROUP BY
          1
      ) AS "t15"
        ON "t34"."household_code" = "t15"."household_code"
    ) AS "t35"
    WHERE
      "t35"."pcni" >= 8700.0
      AND (
        (
          "t35"."net" - GREATEST("t35"."oop", COALESCE("t35"."feed_oop", 0.0))
        ) / "t35"."members"
      ) < 8700.0
      AND GREATEST("t35"."oop", COALESCE("t35"."feed_oop", 0.0)) > 0
  ) AS "t37"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t6"
    ON "t37"."household_code" = "t6"."household_code"
) AS "t38"
WHERE
  NOT (
    (
      "t38"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t38"."risk_eliminated", FALSE)
    )
  )
