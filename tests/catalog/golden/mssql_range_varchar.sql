-- varchar key: the literal is converted, never the column
SELECT [code], [id] FROM [dbo].[t] WHERE [code] >= CONVERT(varchar(8000), N'ABC') AND ([code] > CONVERT(varchar(8000), N'ABC') OR ([code] = CONVERT(varchar(8000), N'ABC') AND [id] >= 100)) AND [code] <= CONVERT(varchar(8000), N'ABD') AND ([code] < CONVERT(varchar(8000), N'ABD') OR ([code] = CONVERT(varchar(8000), N'ABD') AND [id] < -5));

