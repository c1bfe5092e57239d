-- middle chunk
SELECT [Region Id],
       [Order],
       CONVERT(varchar(27), [placed_at], 121),
       CONVERT(varchar(50), CAST([total] AS decimal(19,4))),
       [note],
       LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [photo]), 2))
FROM [Sales].[Order]
WHERE [Region Id] >= 7 AND ([Region Id] > 7 OR ([Region Id] = 7 AND ([Order] > N'O''Brien' OR ([Order] = N'O''Brien' AND [placed_at] >= N'2024-02-29T23:59:59.1234567')))) AND [Region Id] <= 9 AND ([Region Id] < 9 OR ([Region Id] = 9 AND ([Order] < N'Zoë' OR ([Order] = N'Zoë' AND [placed_at] < N'2025-01-01T00:00:00.0000000'))))
ORDER BY [Region Id], [Order], [placed_at];

-- first chunk: no lower bound
SELECT [Region Id],
       [Order],
       CONVERT(varchar(27), [placed_at], 121),
       CONVERT(varchar(50), CAST([total] AS decimal(19,4))),
       [note],
       LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [photo]), 2))
FROM [Sales].[Order]
WHERE [Region Id] <= 7 AND ([Region Id] < 7 OR ([Region Id] = 7 AND ([Order] < N'O''Brien' OR ([Order] = N'O''Brien' AND [placed_at] < N'2024-02-29T23:59:59.1234567'))))
ORDER BY [Region Id], [Order], [placed_at];

-- last chunk: no upper bound
SELECT [Region Id],
       [Order],
       CONVERT(varchar(27), [placed_at], 121),
       CONVERT(varchar(50), CAST([total] AS decimal(19,4))),
       [note],
       LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [photo]), 2))
FROM [Sales].[Order]
WHERE [Region Id] >= 9 AND ([Region Id] > 9 OR ([Region Id] = 9 AND ([Order] > N'Zoë' OR ([Order] = N'Zoë' AND [placed_at] >= N'2025-01-01T00:00:00.0000000'))))
ORDER BY [Region Id], [Order], [placed_at];

-- only chunk
SELECT [Region Id],
       [Order],
       CONVERT(varchar(27), [placed_at], 121),
       CONVERT(varchar(50), CAST([total] AS decimal(19,4))),
       [note],
       LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [photo]), 2))
FROM [Sales].[Order]
ORDER BY [Region Id], [Order], [placed_at];

-- bounds on a key prefix
SELECT [Region Id],
       [Order],
       CONVERT(varchar(27), [placed_at], 121),
       CONVERT(varchar(50), CAST([total] AS decimal(19,4))),
       [note],
       LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [photo]), 2))
FROM [Sales].[Order]
WHERE [Region Id] >= 7 AND [Region Id] <= 9 AND ([Region Id] < 9 OR ([Region Id] = 9 AND [Order] < N'M'))
ORDER BY [Region Id], [Order], [placed_at];

