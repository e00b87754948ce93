module go-baseline

go 1.19
