-- columns
SELECT c.name, TYPE_NAME(c.user_type_id), TYPE_NAME(c.system_type_id), CAST(ty.is_user_defined AS int), c.max_length, c.precision, c.scale, CAST(c.is_nullable AS int), CAST(c.is_identity AS int), dc.definition,
(SELECT MAX(isc.COLUMN_NAME) FROM INFORMATION_SCHEMA.COLUMNS isc WHERE isc.TABLE_SCHEMA = s.name AND isc.TABLE_NAME = o.name AND isc.COLUMN_NAME = c.name)
FROM sys.objects o
JOIN sys.schemas s ON s.schema_id = o.schema_id
JOIN sys.columns c ON c.object_id = o.object_id
JOIN sys.types ty ON ty.user_type_id = c.user_type_id
LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id
WHERE o.type IN ('U', 'V') AND s.name = N'dbo' AND o.name = N'Order'
ORDER BY c.column_id;

-- primary key
SELECT c.name
FROM sys.objects o
JOIN sys.schemas s ON s.schema_id = o.schema_id
JOIN sys.indexes i ON i.object_id = o.object_id
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE o.type IN ('U', 'V') AND s.name = N'dbo' AND o.name = N'Order' AND i.is_primary_key = 1 AND ic.key_ordinal > 0
ORDER BY ic.key_ordinal;

-- unique keys
SELECT i.index_id, c.name
FROM sys.objects o
JOIN sys.schemas s ON s.schema_id = o.schema_id
JOIN sys.indexes i ON i.object_id = o.object_id
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE o.type IN ('U', 'V') AND s.name = N'dbo' AND o.name = N'Order' AND i.is_unique = 1 AND i.is_primary_key = 0 AND i.is_disabled = 0 AND i.has_filter = 0 AND ic.key_ordinal > 0
ORDER BY i.index_id, ic.key_ordinal;

-- approximate row count
SELECT CAST(SUM(p.rows) AS bigint)
FROM sys.objects o
JOIN sys.schemas s ON s.schema_id = o.schema_id
JOIN sys.partitions p ON p.object_id = o.object_id
WHERE o.type IN ('U', 'V') AND s.name = N'dbo' AND o.name = N'Order' AND p.index_id IN (0, 1);

